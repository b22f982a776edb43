"""Scheduling use-cases: programmes, sessions, county quotas, timetable blocks, copying, calendar.

Every write runs in `db.write_transaction()` with its audit entry; every rule lives in `rules.py`. On PostgreSQL
a session's row is locked (`FOR UPDATE`) before its seats are counted, so an enrollment that claims a seat with
its conditional UPDATE waits for us (and we for it): "capacity lowered below the seats held" cannot slip through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from training import db
from training.audit import service as audit
from training.checkin.tables import CheckIn
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.enrollment.tables import Enrollment
from training.errors import Conflict, NotFound, ValidationFailed
from training.i18n import N_, register_messages
from training.notify import changes as change_notices
from training.people.tables import County
from training.programmes import rules
from training.programmes.ics import session_ics
from training.programmes.rules import BlockDraft, Problem, SessionDraft
from training.programmes.sessions import Session, get_session
from training.programmes.states import ProgrammeKind, SessionStatus
from training.programmes.tables import Block, CountyQuota, Programme, TrainingSession

register_messages(
    {
        "ends_before_start": N_("The last day is before the first day."),
        "session_too_long": N_("A session can last at most {days} days."),
        "date_out_of_range": N_("Enter a date between the years {first} and {last}."),
        "capacity_below_taken": N_(
            "{taken} enrollments already hold a seat; the capacity cannot be lower than that."
        ),
        "capacity_below_quotas": N_("The county quotas add up to {total}; the capacity cannot be lower."),
        "registration_closes_after_start": N_("Registration must close before the session starts ({start})."),
        "registration_closes_before_opens": N_("Registration must close after it opens."),
        "registration_opens_after_start": N_("Registration must open before the session starts."),
        "nomination_deadline_after_start": N_("The nomination deadline must be before the session starts."),
        "completion_one_kind": N_("Give the completion threshold either in hours or in percent, not both."),
        "completion_hours_range": N_("The hours must be more than 0 and at most 1000."),
        "completion_percent_range": N_("The percentage must be more than 0 and at most 100."),
        "blocks_outside_new_dates": N_(
            "{count} timetable blocks (the first on {day}) would fall outside these dates. Move or delete them first."
        ),
        "session_closed": N_("This session is closed and can no longer be changed."),
        "invalid_transition": N_("This status change is not possible."),
        "publish_needs_capacity": N_("Set a capacity before publishing."),
        "publish_needs_counties": N_("Choose at least one eligible county before publishing."),
        "publish_needs_timetable": N_("Add the timetable before publishing."),
        "publish_needs_threshold": N_("Set the completion threshold before publishing."),
        "quota_county_has_enrollments": N_(
            "{taken} teachers of this county already hold a seat; the county cannot be removed."
        ),
        "quota_below_taken": N_(
            "{taken} teachers of this county already hold a seat; the quota cannot be lower."
        ),
        "quotas_exceed_capacity": N_("The quotas add up to {total}, more than the capacity of {capacity}."),
        "release_after_start": N_("Unused seats must be released before the session starts."),
        "block_outside_session": N_("The day must be within the session dates ({start} to {end})."),
        "block_ends_before_start": N_("The block must end after it starts."),
        "block_hours_range": N_("The hours must be more than 0 and at most 12."),
        "block_overlaps": N_("This overlaps another block on the same day ({other})."),
        "block_has_checkins": N_("Teachers have already checked in to this block; it cannot be deleted."),
        "copy_overlaps": N_("The copied timetable overlaps blocks already in this session."),
        "copy_source_empty": N_("That session has no timetable to copy."),
        "session_has_enrollments": N_("Teachers have already enrolled; the session cannot be deleted."),
        "programme_has_sessions": N_("This programme has sessions; it cannot be deleted."),
        "slug_taken": N_("This short name is already used by another programme."),
        "invalid_slug": N_("Use 2–32 lower-case letters, digits or hyphens."),
        "unknown_programme": N_("Choose an existing programme."),
        "quota_county_unknown": N_("Unknown county."),
        "empty_day": N_("Choose at least one part of the day."),
        "invalid_datetime": N_("Enter a date and time like 2020-06-30 18:00."),
        "invalid_time": N_("Enter a time like 08:30."),
        "invalid_decimal": N_("Enter a number, e.g. 18 or 2.5."),
    }
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
SESSION_EDITABLE = tuple(f.name for f in SessionDraft.__dataclass_fields__.values())
BLOCK_FIELDS = (
    "day",
    "half_day",
    "starts_at",
    "ends_at",
    "topic",
    "instructor",
    "room",
    "hours",
    "cancelled",
)


class Invalid(ValidationFailed):
    """A ValidationFailed built from rule problems; keeps each field's own parameters for the page."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        fields: dict[str, str] = {}
        field_params: dict[str, dict[str, Any]] = {}
        for problem in problems:
            if problem.field not in fields:
                fields[problem.field] = problem.code
                field_params[problem.field] = dict(problem.params)
        merged: dict[str, Any] = {}
        for params in field_params.values():
            merged.update(params)
        super().__init__(fields, params={**merged, "by_field": {k: v for k, v in field_params.items() if v}})
        self.field_params = field_params


def _check(problems: Sequence[Problem]) -> None:
    if problems:
        raise Invalid(problems)


# --- programmes -------------------------------------------------------------------------------------------------


@dataclass
class ProgrammeDraft:
    slug: str
    name: str
    kind: str = ProgrammeKind.SUMMER
    name_en: str = ""
    description: str = ""


def _check_programme(draft: ProgrammeDraft) -> None:
    problems = []
    if not SLUG.match(draft.slug):
        problems.append(Problem("slug", "invalid_slug"))
    if not draft.name.strip():
        problems.append(Problem("name", "required"))
    if draft.kind not in rules.PROGRAMME_KINDS:
        problems.append(Problem("kind", "invalid_choice"))
    _check(problems)


async def list_programmes() -> list[dict[str, Any]]:
    return await Programme.select().order_by(Programme.id)


async def get_programme(programme_id: int) -> dict[str, Any]:
    row = await Programme.select().where(Programme.id == programme_id).first()
    if row is None:
        raise NotFound()
    return row


async def create_programme(actor: Actor | None, draft: ProgrammeDraft) -> int:
    _check_programme(draft)
    async with db.write_transaction():
        if await Programme.exists().where(Programme.slug == draft.slug):
            raise Conflict("slug_taken", fields={"slug": "slug_taken"})
        rows = await Programme.insert(Programme(**asdict(draft)))
        programme_id = int(rows[0]["id"])
        await audit.record_change(actor, "programme", programme_id, None, asdict(draft))
    return programme_id


async def update_programme(actor: Actor | None, programme_id: int, draft: ProgrammeDraft) -> None:
    _check_programme(draft)
    async with db.write_transaction():
        before = await get_programme(programme_id)
        if await Programme.exists().where((Programme.slug == draft.slug) & (Programme.id != programme_id)):
            raise Conflict("slug_taken", fields={"slug": "slug_taken"})
        await Programme.update({getattr(Programme, k): v for k, v in asdict(draft).items()}).where(
            Programme.id == programme_id
        )
        await audit.record_change(actor, "programme", programme_id, before, {**before, **asdict(draft)})


async def delete_programme(actor: Actor | None, programme_id: int) -> None:
    async with db.write_transaction():
        before = await get_programme(programme_id)
        if await TrainingSession.exists().where(TrainingSession.programme == programme_id):
            raise Conflict("programme_has_sessions")
        await Programme.delete().where(Programme.id == programme_id)
        await audit.record_change(actor, "programme", programme_id, before, None)


# --- sessions ---------------------------------------------------------------------------------------------------


def draft_of(session: Session) -> SessionDraft:
    """The editable part of a stored session (for forms and PATCH merges)."""
    return SessionDraft(
        programme_id=session.programme,
        **{k: getattr(session, k) for k in SESSION_EDITABLE if k != "programme_id"},
    )


def _columns(draft: SessionDraft) -> dict[Any, Any]:
    values = asdict(draft)
    values["programme"] = values.pop("programme_id")
    values["year"] = draft.effective_year()
    values["title"] = draft.title.strip()
    for key in ("registration_opens_at", "registration_closes_at", "nomination_deadline"):
        values[key] = rules.as_utc(values[key])
    return values


async def _lock_session(session_id: int) -> Session:
    """The session row, locked until the end of the transaction on PostgreSQL (SQLite: the writer lock)."""
    if not db.is_sqlite(db.current_engine()):
        await db.raw('SELECT "id" FROM "training_session" WHERE "id" = {} FOR UPDATE', session_id)
    return await get_session(session_id)


async def _seats_held(session_id: int) -> int:
    return int(
        await Enrollment.count().where((Enrollment.session == session_id) & (Enrollment.holds_seat.eq(True)))
    )


_HELD_SQL = {
    "holds_seat": 'SELECT "county", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "holds_seat" = {} '
    'GROUP BY "county"',
    "holds_quota": 'SELECT "county", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "holds_quota" = {} '
    'GROUP BY "county"',
}


async def _held_by_county(session_id: int, column: str) -> dict[int, int]:
    """county → enrollments of this session with `column` (holds_seat / holds_quota) true."""
    rows = await db.raw(_HELD_SQL[column], session_id, True)
    return {int(r["county"]): int(r["n"]) for r in rows}


async def _quota_total(session_id: int) -> int:
    rows = await CountyQuota.select(CountyQuota.quota).where(CountyQuota.session == session_id)
    return sum(r["quota"] or 0 for r in rows)


def _editable(session: Session) -> None:
    problem = rules.check_editable(session.status)
    if problem:
        raise Conflict(problem.code, fields={problem.field: problem.code})


async def _check_programme_exists(programme_id: int) -> None:
    if not await Programme.exists().where(Programme.id == programme_id):
        raise Invalid([Problem("programme_id", "unknown_programme")])


async def create_session(actor: Actor | None, draft: SessionDraft) -> int:
    _check(rules.check_session(draft))
    async with db.write_transaction():
        await _check_programme_exists(draft.programme_id)
        values = _columns(draft)
        rows = await TrainingSession.insert(
            TrainingSession(**values, status=SessionStatus.DRAFT, updated_at=datetime.now(UTC))
        )
        session_id = int(rows[0]["id"])
        await audit.record_change(
            actor, "session", session_id, None, {**values, "status": SessionStatus.DRAFT}
        )
    return session_id


async def update_session(actor: Actor | None, session_id: int, draft: SessionDraft) -> None:
    async with db.write_transaction():
        before = await _lock_session(session_id)
        _editable(before)
        days = [b["day"] for b in await Block.select(Block.day).where(Block.session == session_id)]
        _check(
            rules.check_session(
                draft,
                seats_held=max(await _seats_held(session_id), before.seats_taken),
                block_days=days,
                quota_total=await _quota_total(session_id),
            )
        )
        if draft.programme_id != before.programme:
            await _check_programme_exists(draft.programme_id)
        values = _columns(draft)
        await TrainingSession.update(
            {
                **{getattr(TrainingSession, k): v for k, v in values.items()},
                TrainingSession.updated_at: datetime.now(UTC),
            }
        ).where(TrainingSession.id == session_id)
        after = {**before.as_dict(), **values}
        await audit.record_change(actor, "session", session_id, before.as_dict(), after)
        await change_notices.session_changed(before.as_dict(), after)


async def set_status(actor: Actor | None, session_id: int, target: str) -> None:
    async with db.write_transaction():
        before = await _lock_session(session_id)
        eligible = await CountyQuota.count().where(CountyQuota.session == session_id)
        blocks = await Block.count().where((Block.session == session_id) & (Block.cancelled.eq(False)))
        problems = rules.check_transition(
            before.status,
            target,
            capacity=before.capacity,
            eligible_counties=int(eligible),
            blocks=int(blocks),
            has_threshold=before.has_threshold,
        )
        if problems and problems[0].code == "invalid_transition":
            raise Conflict(
                "invalid_transition", fields={"status": "invalid_transition"}, params=problems[0].params
            )
        _check(problems)
        await TrainingSession.update(
            {TrainingSession.status: target, TrainingSession.updated_at: datetime.now(UTC)}
        ).where(TrainingSession.id == session_id)
        action = "unpublish" if target == SessionStatus.DRAFT else target
        if before.status == SessionStatus.CLOSED and target == SessionStatus.PUBLISHED:
            action = "reopen"
            await change_notices.session_reopened(session_id)
        if target == SessionStatus.CLOSED:
            await change_notices.session_closed(before.as_dict(), datetime.now(LOCAL_TZ).date())
        await audit.record(
            actor,
            action,
            "session",
            session_id,
            {"status": [before.status, target]},
        )


@dataclass
class SessionImpact:
    """What changing a session's status touches: the people enrolled (by status), the timetable, the quotas."""

    by_status: dict[str, int]
    blocks: int
    quotas: int

    @property
    def holding_seats(self) -> int:
        return sum(self.by_status.get(s, 0) for s in ("confirmed", "pending", "nominated"))

    @property
    def active(self) -> int:
        """Everyone still in the session (not cancelled, not rejected)."""
        return sum(n for s, n in self.by_status.items() if s not in ("cancelled", "rejected"))


async def session_impact(session_id: int) -> SessionImpact:
    rows = await db.raw(
        'SELECT "status", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} GROUP BY "status"', session_id
    )
    return SessionImpact(
        by_status={r["status"]: int(r["n"]) for r in rows},
        blocks=int(await Block.count().where((Block.session == session_id) & (Block.cancelled.eq(False)))),
        quotas=int(await CountyQuota.count().where(CountyQuota.session == session_id)),
    )


async def delete_session(actor: Actor | None, session_id: int) -> None:
    async with db.write_transaction():
        before = await _lock_session(session_id)
        _editable(before)
        if await Enrollment.exists().where(Enrollment.session == session_id):
            raise Conflict("session_has_enrollments")
        await TrainingSession.delete().where(TrainingSession.id == session_id)
        await audit.record_change(actor, "session", session_id, before.as_dict(), None)


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
    _check(rules.check_session(draft))
    quotas = await CountyQuota.select(CountyQuota.county, CountyQuota.quota).where(
        CountyQuota.session == session_id
    )
    blocks = await Block.select().where(Block.session == session_id)
    shifted, _ = rules.shift_blocks(
        blocks, from_start=source.starts_on, to_start=starts_on, to_end=draft.ends_on
    )
    release_on = source.release_unused_quota_on
    async with db.write_transaction():
        values = _columns(draft)
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
            await Block.insert(*[_block_row(new_id, b) for b in shifted])
        await audit.record(
            actor,
            "copy",
            "session",
            new_id,
            {"copied_from": [None, session_id], "title": [None, draft.title], "starts_on": [None, starts_on]},
        )
    return new_id


# --- county quotas ----------------------------------------------------------------------------------------------


async def get_quotas(session_id: int) -> list[dict[str, Any]]:
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
    held = await _held_by_county(session_id, "holds_seat")
    for row in rows:
        row["seats_held"] = held.get(row["county"], 0)
    return rows


async def set_quotas(
    actor: Actor | None,
    session_id: int,
    quotas: Mapping[int, int | None],
    release_unused_quota_on: date | None,
) -> None:
    """Replace the eligible counties and their seats (None: eligible, no reserved seats)."""
    async with db.write_transaction():
        if not db.is_sqlite(db.current_engine()):
            # The seat claims' order (quota rows, then the session row), and NO KEY so that registrations holding
            # the session's key-share lock (their enrollment insert) can go on to their claim: no deadlock.
            await db.raw(
                'SELECT "id" FROM "county_quota" WHERE "session" = {} ORDER BY "id" FOR NO KEY UPDATE',
                session_id,
            )
            await db.raw('SELECT "id" FROM "training_session" WHERE "id" = {} FOR NO KEY UPDATE', session_id)
        session = await get_session(session_id)
        _editable(session)
        known = {r["id"] for r in await County.select(County.id).where(County.id.is_in(list(quotas) or [0]))}
        unknown = [cid for cid in quotas if cid not in known]
        if unknown:
            raise Invalid([Problem(f"quota_{cid}", "quota_county_unknown") for cid in unknown])
        _check(
            rules.check_quotas(
                session.capacity,
                quotas,
                await _held_by_county(session_id, "holds_quota"),
                seated_by_county=await _held_by_county(session_id, "holds_seat"),
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
        await db.raw(
            'UPDATE "county_quota" SET "seats_taken" = (SELECT COUNT(*) FROM "enrollment" e'
            '  WHERE e."session" = "county_quota"."session" AND e."county" = "county_quota"."county"'
            '  AND e."holds_quota" = {}) WHERE "session" = {}',
            True,
            session_id,
        )
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


# --- timetable --------------------------------------------------------------------------------------------------


def _block_row(session_id: int, block: BlockDraft) -> Block:
    return Block(
        session=session_id,
        day=block.day,
        half_day=block.half_day,
        starts_at=block.starts_at,
        ends_at=block.ends_at,
        topic=block.topic.strip(),
        instructor=block.instructor.strip(),
        room=block.room.strip(),
        hours=block.effective_hours(),
        cancelled=block.cancelled,
    )


def _block_values(block: BlockDraft) -> dict[str, Any]:
    return {k: getattr(block, k) for k in BLOCK_FIELDS} | {"hours": block.effective_hours()}


async def list_blocks(session_id: int) -> list[dict[str, Any]]:
    query = Block.select().where(Block.session == session_id)
    return await query.order_by(Block.day).order_by(Block.starts_at).order_by(Block.id)


async def get_block(block_id: int) -> dict[str, Any]:
    row = await Block.select().where(Block.id == block_id).first()
    if row is None:
        raise NotFound()
    return row


async def add_blocks(actor: Actor | None, session_id: int, blocks: Sequence[BlockDraft]) -> list[int]:
    """One block, or a whole day at once: all are checked against the session and each other, all or none."""
    if not blocks:
        raise Invalid([Problem("parts", "empty_day")])
    async with db.write_transaction():
        session = await _lock_session(session_id)
        _editable(session)
        existing = await list_blocks(session_id)
        problems: list[Problem] = []
        for i, block in enumerate(blocks):
            found = rules.check_block(
                block,
                starts_on=session.starts_on,
                ends_on=session.ends_on,
                others=[*existing, *blocks[:i]],
            )
            # In a whole day the parts share one "day" field; their own fields are prefixed (afternoon_topic).
            prefix = f"{block.half_day}_" if len(blocks) > 1 else ""
            problems += [
                Problem(p.field if p.field == "day" else prefix + p.field, p.code, p.params) for p in found
            ]
        _check(problems)
        rows = await Block.insert(*[_block_row(session_id, b) for b in blocks])
        ids = [int(r["id"]) for r in rows]
        for block_id, block in zip(ids, blocks, strict=True):
            await audit.record_change(
                actor, "block", block_id, None, {"session": session_id, **_block_values(block)}
            )
    return ids


async def update_block(actor: Actor | None, block_id: int, block: BlockDraft) -> None:
    async with db.write_transaction():
        before = await get_block(block_id)
        session = await _lock_session(before["session"])
        _editable(session)
        others = [b for b in await list_blocks(session.id) if b["id"] != block_id]
        _check(rules.check_block(block, starts_on=session.starts_on, ends_on=session.ends_on, others=others))
        values = _block_values(block)
        await Block.update({getattr(Block, k): v for k, v in values.items()}).where(Block.id == block_id)
        await audit.record_change(actor, "block", block_id, before, {**before, **values})
        # teachers are told only after the organiser previews the notice (training/notify/changes.py)
        await change_notices.block_changed(session.as_dict(), before, values)


async def delete_block(actor: Actor | None, block_id: int) -> None:
    async with db.write_transaction():
        before = await get_block(block_id)
        session = await _lock_session(before["session"])
        _editable(session)
        if await CheckIn.exists().where(CheckIn.block == block_id):
            raise Conflict("block_has_checkins")
        await Block.delete().where(Block.id == block_id)
        await audit.record_change(actor, "block", block_id, before, None)


async def copy_timetable(actor: Actor | None, session_id: int, from_session_id: int) -> int:
    """Copy another (usually last year's) session's timetable into this one, day n onto day n."""
    source = await get_session(from_session_id)
    async with db.write_transaction():
        session = await _lock_session(session_id)
        _editable(session)
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
        await Block.insert(*[_block_row(session_id, b) for b in shifted])
        await audit.record(
            actor,
            "copy_timetable",
            "session",
            session_id,
            {"from_session": [None, from_session_id], "blocks": [0, len(shifted)]},
        )
    return len(shifted)


# --- calendar ---------------------------------------------------------------------------------------------------


async def session_calendar(session_id: int, *, uid_domain: str, url: str = "", public: bool = False) -> str:
    session = await get_session(session_id)
    if public and session.status == SessionStatus.DRAFT:
        raise NotFound()
    return session_ics(session.as_dict(), await list_blocks(session_id), uid_domain=uid_domain, url=url)
