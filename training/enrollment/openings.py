"""What a teacher sees before registering: the sessions taking registrations, and the seats left per county."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from training.core.clock import LOCAL_TZ
from training.enrollment import sql
from training.enrollment.seats import QuotaState, quotas_released, seats_left
from training.people.tables import School
from training.programmes import sessions
from training.programmes.sessions import Session
from training.programmes.states import RegistrationWindow


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()


@dataclass(frozen=True, slots=True)
class CountyQuota:
    """A county eligible for a session, with its quota (None: no quota) and the quota seats its teachers hold."""

    id: int
    code: str
    name: str
    province: str
    quota: int | None
    seats_taken: int


@dataclass(frozen=True, slots=True)
class CountySeats:
    """An eligible county and the seats its teachers can still get (quota or open pool, seats.py)."""

    id: int
    code: str
    name: str
    province: str
    quota: int | None
    seats_taken: int  # quota seats held
    left: int


@dataclass(frozen=True, slots=True)
class OpenSession:
    """A session taking online registrations, as the sessions page and the API show it."""

    session: Session
    counties: list[CountySeats]
    not_yet_open: bool

    @property
    def free(self) -> int:
        return self.session.seats_left


async def eligible_counties(session_id: int) -> list[CountyQuota]:
    """Counties of the session with their quota numbers, ordered by code."""
    rows = await sql.eligible_counties(session_id)
    return [
        CountyQuota(
            int(r["id"]),
            r["code"],
            r["name"],
            r["province"],
            None if r["quota"] is None else int(r["quota"]),
            int(r["seats_taken"]),
        )
        for r in rows
    ]


async def seats_by_county(session: Session, now: datetime | None = None) -> list[CountySeats]:
    counties = await eligible_counties(session.id)
    quotas = [QuotaState(c.id, c.quota, c.seats_taken) for c in counties]
    released = quotas_released(session.release_unused_quota_on, local_today(now))
    return [
        CountySeats(
            c.id,
            c.code,
            c.name,
            c.province,
            c.quota,
            c.seats_taken,
            left=seats_left(
                capacity=session.capacity,
                seats_taken=session.seats_taken,
                county=q,
                all_quotas=quotas,
                released=released,
            ),
        )
        for c, q in zip(counties, quotas, strict=True)
    ]


async def open_sessions(now: datetime | None = None) -> list[OpenSession]:
    """Published sessions that take online registrations and whose window has not closed."""
    now = now or datetime.now(UTC)
    return [
        OpenSession(
            session,
            await seats_by_county(session, now),
            not_yet_open=session.registration_window(now) == RegistrationWindow.NOT_YET_OPEN,
        )
        for session in await sessions.open_for_registration(now)
    ]


async def schools_of(county_ids: list[int]) -> dict[int, list[str]]:
    if not county_ids:
        return {}
    rows = (
        await School.select(School.county, School.name)
        .where(School.county.is_in(county_ids))
        .order_by(School.name)
    )
    result: dict[int, list[str]] = {}
    for row in rows:
        result.setdefault(int(row["county"]), []).append(row["name"])
    return result
