"""Lists of a session's people for the door: a block's offline roster (digests only) and the badges to print."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec

from training import keys
from training.checkin import sql
from training.checkin import status as st
from training.checkin.attendance import BlockInfo
from training.core.tokens import generation_of, make_token
from training.enrollment.states import EnrollmentStatus


class RosterEntry(msgspec.Struct, frozen=True):
    id: int
    t: str  # digest of the QR token
    m: str  # digest of the manual code
    name: str
    county: str
    school: str
    status: str  # enrollment status
    at: str | None  # checked in at (ISO 8601), or null
    by: str


class Roster(msgspec.Struct, frozen=True):
    block: BlockInfo
    salt: str
    generated_at: str
    entries: list[RosterEntry]


@dataclass(frozen=True, slots=True)
class BadgePerson:
    name: str
    county: str
    school: str
    token: str
    manual_code: str


async def block_roster(block_id: int) -> Roster:
    """What a scanner needs to validate codes offline for this block, and nothing more.

    Codes travel as salted SHA-256 digests (`status.roster_digest`, fresh salt per download): the device can
    recognise a code it scans but a copied roster gives out no working codes; the signing key never leaves."""
    block = await sql.block_row(block_id)
    salt = secrets.token_urlsafe(12)
    key = keys.current().qr_token
    entries: list[RosterEntry] = []
    for row in await sql.people(block["session"], block_id):
        generation = generation_of(row["nonce"] or "")
        withdrawn = generation is None  # no code of hers may work offline either
        entries.append(
            RosterEntry(
                id=row["e_id"],
                t=st.roster_digest(salt, "" if withdrawn else make_token(key, row["e_id"], generation or 0)),
                m=st.roster_digest(salt, "" if withdrawn else row["manual_code"]),
                name=row["name"],
                county=row["county"],
                school=row["school"] or "",
                status=row["status"],
                at=sql.as_datetime(row["ci_at"]).isoformat() if row["ci_at"] is not None else None,
                by=row["ci_by"] or "",
            )
        )
    return Roster(
        block=BlockInfo.of(block), salt=salt, generated_at=datetime.now(UTC).isoformat(), entries=entries
    )


async def badge_people(
    session_id: int, enrollment_ids: set[int] | None = None
) -> tuple[str, list[BadgePerson]]:
    """Session title and its confirmed teachers (name, county, school, token, manual code) for badges;
    only `enrollment_ids` if given (e.g. the teachers still missing, who may have no phone with their QR)."""
    title = await sql.session_title(session_id)
    key = keys.current().qr_token
    people = [
        BadgePerson(
            name=row["name"],
            county=row["county"],
            school=row["school"] or "",
            token=make_token(key, row["e_id"], generation_of(row["nonce"] or "") or 0),
            manual_code=row["manual_code"],
        )
        for row in await sql.people(session_id)
        if row["status"] == EnrollmentStatus.CONFIRMED
        and generation_of(row["nonce"] or "") is not None  # no badge for a withdrawn code
        and (enrollment_ids is None or row["e_id"] in enrollment_ids)
    ]
    return title, people
