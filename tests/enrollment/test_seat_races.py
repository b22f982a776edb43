"""Seats hold under concurrency on the engine under test (SQLite by default, PostgreSQL with
TRAINING_TEST_DATABASE_URL): the service functions run concurrently with asyncio.gather."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.enrollment.factory import BASE_URL, COUNTIES, make_counties, make_session, registration
from training.enrollment import service
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage
from training.programmes.tables import CountyQuota, TrainingSession


async def _rush(session_id: int, regs: list[dict[str, Any]]) -> list[Any]:
    return await asyncio.gather(*(service.register(session_id, r, base_url=BASE_URL) for r in regs))


async def test_300_concurrent_registrations_for_50_seats_confirm_exactly_50(pooled: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=50)
    regs = [registration(counties[0], n) for n in range(300)]
    outcomes = await _rush(session_id, regs)
    statuses = [o.status for o in outcomes]
    assert statuses.count("confirmed") == 50
    assert statuses.count("waitlisted") == 250
    assert await Enrollment.count().where(Enrollment.status == "confirmed") == 50
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None and session["seats_taken"] == 50
    # Places as the teachers see them now: 1..250 in arrival order. (The place returned at registration can only
    # be lower: waiting teachers who arrived earlier may not have committed yet.)
    waiting = [o for o in outcomes if o.status == "waitlisted"]
    places = {o.enrollment_id: (await service.view(o.enrollment_id)).position for o in waiting}
    assert sorted(places.values()) == list(range(1, 251))
    assert all(o.position is not None and 1 <= o.position <= places[o.enrollment_id] for o in waiting)
    assert await OutboxMessage.count().where(OutboxMessage.kind == "confirmation") == 50
    assert await OutboxMessage.count().where(OutboxMessage.kind == "waitlisted") == 250


async def test_300_concurrent_registrations_respect_every_county_quota(pooled: Any) -> None:
    counties = await make_counties()
    # 20 + 15 reserved, the third county shares the open pool of 50 - 35 = 15 seats
    session_id = await make_session(counties, capacity=50, quotas=[20, 15, None])
    regs = [
        registration(counties[i % 3], n, county_code=COUNTIES[i % 3][0]) for i, n in enumerate(range(300))
    ]
    outcomes = await _rush(session_id, regs)
    assert [o.status for o in outcomes].count("confirmed") == 50
    by_county: dict[int, int] = {}
    for reg, outcome in zip(regs, outcomes, strict=True):
        if outcome.status == "confirmed":
            by_county[int(reg["county"])] = by_county.get(int(reg["county"]), 0) + 1
    assert by_county == {counties[0]: 20, counties[1]: 15, counties[2]: 15}
    quota_rows = await CountyQuota.select().where(CountyQuota.session == session_id)
    assert {r["county"]: r["seats_taken"] for r in quota_rows} == {
        counties[0]: 20,
        counties[1]: 15,
        counties[2]: 0,
    }


async def _quota_counters_agree(session_id: int) -> dict[int, tuple[int | None, int, int]]:
    """county → (quota, counter, enrollments holding a quota seat); the counter must equal the holders."""
    rows = await CountyQuota.select().where(CountyQuota.session == session_id)
    out = {}
    for q in rows:
        holders = await Enrollment.count().where(
            (Enrollment.session == session_id)
            & (Enrollment.county == q["county"])
            & (Enrollment.holds_quota.eq(True))
        )
        out[q["county"]] = (q["quota"], q["seats_taken"], holders)
    return out


async def test_a_quota_changed_during_a_rush_keeps_its_counter_equal_to_the_seats_held(pooled: Any) -> None:
    from training.core.actor import Actor
    from training.errors import Conflict, ValidationFailed
    from training.programmes import service as programmes

    organiser = Actor(1, "org", "org", "organiser")
    counties = await make_counties()
    session_id = await make_session(counties, capacity=40, quotas=[30, None, None])
    first = [registration(counties[0], n) for n in range(10)]
    await _rush(session_id, first)

    async def change(quota: int | None) -> None:
        try:
            await programmes.set_quotas(organiser, session_id, {counties[0]: quota, counties[1]: None}, None)
        except (ValidationFailed, Conflict):
            pass  # refused (e.g. below the seats already held): nothing changed

    # Registrations and quota changes (none, lowered, raised) interleave.
    more = [registration(counties[0], n) for n in range(10, 40)]
    await asyncio.gather(_rush(session_id, more[:15]), change(None), change(18))
    await asyncio.gather(_rush(session_id, more[15:]), change(25))
    for quota, counter, holders in (await _quota_counters_agree(session_id)).values():
        assert counter == holders
        assert quota is None or holders <= quota
    # A county whose counter agrees can never be oversold afterwards.
    await change(30)
    after = await _rush(session_id, [registration(counties[0], n) for n in range(40, 80)])
    quota, counter, holders = (await _quota_counters_agree(session_id))[counties[0]]
    assert counter == holders <= 30
    assert sum(1 for o in after if o.status == "confirmed") <= 30
