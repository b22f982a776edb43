"""What registration validates against (the session, its eligible counties and schools, its timetable file),
cached for a few seconds per engine: in a rush every registration would otherwise read the same three things first.
Anything that matters for seats (status, window, counts) is read again under the session lock (seating.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from training import db
from training.enrollment import mails, seating
from training.enrollment.openings import eligible_counties
from training.people.tables import School
from training.programmes.sessions import Session, get_session


@dataclass(frozen=True)
class SessionSnapshot:
    session: Session
    session_row: dict[str, Any]  # the same as a mapping, for mails and the timetable file
    eligible: frozenset[int]
    quotas: dict[int, int | None]  # county → quota (configuration, not the live counts)
    schools: dict[tuple[int, str], int]
    taken_at: float
    base_url: str = ""
    ics: bytes = b""  # the session's timetable for confirmation mails (built once per snapshot)
    # What recent claims in this process found full (until the snapshot is renewed): in a rush the snapshot's
    # seat count is seconds old, and every registration it took for "seats left" rendered a confirmation mail
    # with its QR in vain once the session had filled up. A stale entry only costs the speculative rendering.
    full_counties: set[int] = field(default_factory=set)
    session_full: list[bool] = field(default_factory=lambda: [False])

    def seat_likely(self, county_id: int) -> bool:
        return (
            not self.session_full[0]
            and county_id not in self.full_counties
            and self.session.seats_taken < self.session.capacity
        )

    def learn(self, claim: seating.Claim, county_id: int) -> None:
        if claim.seat:
            return
        if int(claim.session["seats_taken"]) >= int(claim.session["capacity"]):
            self.session_full[0] = True
        else:
            self.full_counties.add(county_id)

    def fast_mode(self, county_id: int, today: date) -> str | None:
        return seating.fast_mode(self.quotas, county_id, self.session.release_unused_quota_on, today)


SNAPSHOT_TTL_S = 3.0
_snapshots: dict[int, SessionSnapshot] = {}
_snapshot_engine: list[Any] = [None]  # the cache belongs to one engine (tests switch databases)


async def snapshot_of(session_id: int) -> SessionSnapshot:
    """What validation needs about a session, cached for a few seconds per engine: in a rush every registration
    would otherwise read the same three things first. Anything that matters for seats (status, window, counts) is
    read again under the session lock."""
    engine = db.current_engine()
    if _snapshot_engine[0] is not engine:
        _snapshots.clear()
        _snapshot_engine[0] = engine
    per_engine = _snapshots
    cached = per_engine.get(session_id)
    if cached is not None and time.monotonic() - cached.taken_at < SNAPSHOT_TTL_S:
        return cached
    session = await get_session(session_id)
    counties = await eligible_counties(session_id)
    eligible = frozenset(c.id for c in counties)
    rows = await School.select(School.id, School.county, School.name).where(
        School.county.is_in(list(eligible) or [0])
    )
    snapshot = SessionSnapshot(
        session,
        session.as_dict(),
        eligible,
        {c.id: c.quota for c in counties},
        {(int(r["county"]), r["name"]): int(r["id"]) for r in rows},
        time.monotonic(),
    )
    per_engine[session_id] = snapshot
    return snapshot


async def calendar_of(session_id: int, base_url: str) -> bytes:
    snapshot = await snapshot_of(session_id)
    if not snapshot.ics or snapshot.base_url != base_url:
        ics = await mails.calendar_file(snapshot.session_row, base_url)
        snapshot = replace(snapshot, ics=ics, base_url=base_url)
        _snapshots[session_id] = snapshot
    return snapshot.ics
