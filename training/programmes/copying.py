"""Next year from this year: copy a whole session (fields, quotas, timetable, questions) or only a timetable."""

from __future__ import annotations

from datetime import UTC, date, datetime

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.programmes import questions, rules
from training.programmes.problems import Invalid, check
from training.programmes.rules import Problem
from training.programmes.session_setup import columns_of, draft_of, lock_session, require_editable
from training.programmes.sessions import get_session
from training.programmes.states import SessionStatus
from training.programmes.tables import Block, CountyQuota, TrainingSession
from training.programmes.timetable import block_row, list_blocks


async def copy_session(
    actor: Actor | None,
    session_id: int,
    *,
    starts_on: date,
    title: str | None = None,
    number: int | None = None,
) -> int:
    """Next year's session from this one: every field, the county quotas and the timetable, moved so that the
    first day is `starts_on` (registration window and deadlines move by the same number of days). A draft."""
    source = await get_session(session_id)
    days = (starts_on - source.starts_on).days
    new_year = starts_on.year
    auto_title, auto_number = rules.next_year_title(source.title, source.number, source.year, new_year)
    draft = draft_of(source)
    draft.title = (title or auto_title).strip()
    draft.number = number if number is not None else auto_number
    draft.year = new_year
    draft.starts_on = starts_on
    draft.ends_on = source.ends_on + (starts_on - source.starts_on)
    draft.registration_opens_at = rules.shift_datetime(source.registration_opens_at, days)
    draft.registration_closes_at = rules.shift_datetime(source.registration_closes_at, days)
    draft.nomination_deadline = rules.shift_datetime(source.nomination_deadline, days)
    check(rules.check_session(draft))
    quotas = await CountyQuota.select(CountyQuota.county, CountyQuota.quota).where(
        CountyQuota.session == session_id
    )
    shifted, _ = rules.shift_blocks(
        await list_blocks(session_id), from_start=source.starts_on, to_start=starts_on, to_end=draft.ends_on
    )
    release_on = source.release_unused_quota_on
    async with db.transaction():
        values = columns_of(draft)
        rows = await TrainingSession.insert(
            TrainingSession(
                **values,
                status=SessionStatus.DRAFT,
                release_unused_quota_on=release_on + (starts_on - source.starts_on) if release_on else None,
                updated_at=datetime.now(UTC),
            )
        )
        new_id = int(rows[0]["id"])
        if quotas:
            await CountyQuota.insert(
                *[CountyQuota(session=new_id, county=q["county"], quota=q["quota"]) for q in quotas]
            )
        if shifted:
            await Block.insert(*[block_row(new_id, b) for b in shifted])
        await questions.copy_questions(session_id, new_id)
        await audit.record(
            actor,
            "copy",
            "session",
            new_id,
            {"copied_from": [None, session_id], "title": [None, draft.title], "starts_on": [None, starts_on]},
        )
    return new_id


async def copy_timetable(actor: Actor | None, session_id: int, from_session_id: int) -> int:
    """Copy another (usually last year's) session's timetable into this one, day n onto day n."""
    source = await get_session(from_session_id)
    async with db.transaction():
        session = await lock_session(session_id)
        require_editable(session)
        shifted, _ = rules.shift_blocks(
            await list_blocks(from_session_id),
            from_start=source.starts_on,
            to_start=session.starts_on,
            to_end=session.ends_on,
        )
        if not shifted:
            raise Invalid([Problem("from_session_id", "copy_source_empty")])
        existing = await list_blocks(session_id)
        for i, block in enumerate(shifted):
            if rules.check_block(
                block,
                starts_on=session.starts_on,
                ends_on=session.ends_on,
                others=[*existing, *shifted[:i]],
            ):
                raise Invalid([Problem("from_session_id", "copy_overlaps")])
        await Block.insert(*[block_row(session_id, b) for b in shifted])
        await audit.record(
            actor,
            "copy_timetable",
            "session",
            session_id,
            {"from_session": [None, from_session_id], "blocks": [0, len(shifted)]},
        )
    return len(shifted)
