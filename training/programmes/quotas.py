"""County quotas: which counties a session is open to, and the seats each may hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.people.tables import County
from training.programmes import rules, sql
from training.programmes.models import QuotaLine
from training.programmes.problems import Invalid, check
from training.programmes.rules import Problem
from training.programmes.session_setup import require_editable
from training.programmes.sessions import get_session
from training.programmes.tables import CountyQuota, TrainingSession


async def get_quotas(session_id: int) -> list[QuotaLine]:
    """Eligible counties of a session with their quota and the seats their teachers hold now."""
    rows = (
        await CountyQuota.select(
            CountyQuota.id,
            CountyQuota.county,
            CountyQuota.quota,
            CountyQuota.county.code.as_alias("county_code"),
            CountyQuota.county.name.as_alias("county_name"),
            CountyQuota.county.province.as_alias("province"),
        )
        .where(CountyQuota.session == session_id)
        .order_by(CountyQuota.county.code)
    )
    held = await sql.held_by_county(session_id, "holds_seat")
    return [
        QuotaLine(
            id=int(r["id"]),
            county=int(r["county"]),
            county_code=r["county_code"],
            county_name=r["county_name"],
            province=r["province"],
            quota=r["quota"],
            seats_held=held.get(int(r["county"]), 0),
        )
        for r in rows
    ]


async def set_quotas(
    actor: Actor | None,
    session_id: int,
    quotas: Mapping[int, int | None],
    release_unused_quota_on: date | None,
) -> None:
    """Replace the eligible counties and their seats (None: eligible, no reserved seats)."""
    async with db.transaction():
        await sql.lock_quotas_then_session(session_id)
        session = await get_session(session_id)
        require_editable(session)
        known = {r["id"] for r in await County.select(County.id).where(County.id.is_in(list(quotas) or [0]))}
        unknown = [cid for cid in quotas if cid not in known]
        if unknown:
            raise Invalid([Problem(f"quota_{cid}", "quota_county_unknown") for cid in unknown])
        check(
            rules.check_quotas(
                session.capacity,
                quotas,
                await sql.held_by_county(session_id, "holds_quota"),
                seated_by_county=await sql.held_by_county(session_id, "holds_seat"),
                release_on=release_unused_quota_on,
                starts_on=session.starts_on,
            )
        )
        existing = {
            r["county"]: r for r in await CountyQuota.select().where(CountyQuota.session == session_id)
        }
        removed = [cid for cid in existing if cid not in quotas]
        if removed:
            await CountyQuota.delete().where(
                (CountyQuota.session == session_id) & (CountyQuota.county.is_in(removed))
            )
        for county_id, quota in quotas.items():
            if county_id in existing:
                if existing[county_id]["quota"] != quota:
                    await CountyQuota.update({CountyQuota.quota: quota}).where(
                        CountyQuota.id == existing[county_id]["id"]
                    )
            else:
                await CountyQuota.insert(CountyQuota(session=session_id, county=county_id, quota=quota))
        # The counters are derived state: recount them from the enrollments under the session lock, so that a
        # changed, removed or re-added quota never leaves a counter that disagrees with the seats its teachers
        # hold (a counter below them would let the county take more seats than its quota).
        await sql.recount_quota_seats(session_id)
        await TrainingSession.update(
            {
                TrainingSession.release_unused_quota_on: release_unused_quota_on,
                TrainingSession.updated_at: datetime.now(UTC),
            }
        ).where(TrainingSession.id == session_id)
        await audit.record_change(
            actor,
            "quotas",
            session_id,
            {
                "quotas": {str(k): v["quota"] for k, v in sorted(existing.items())},
                "release_unused_quota_on": session.release_unused_quota_on,
            },
            {
                "quotas": {str(k): v for k, v in sorted(quotas.items())},
                "release_unused_quota_on": release_unused_quota_on,
            },
            action="update",
        )
