"""Programmes (the summer sessions, the Jiangsu exchange cohorts): list, read, create, change, delete."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import Conflict, NotFound
from training.programmes import rules
from training.programmes.models import ProgrammeInfo
from training.programmes.problems import check
from training.programmes.rules import Problem
from training.programmes.states import ProgrammeKind
from training.programmes.tables import Programme, TrainingSession

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")


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
    check(problems)


async def list_programmes() -> list[ProgrammeInfo]:
    return [ProgrammeInfo.from_row(r) for r in await Programme.select().order_by(Programme.id)]


async def get_programme(programme_id: int) -> ProgrammeInfo:
    row = await Programme.select().where(Programme.id == programme_id).first()
    if row is None:
        raise NotFound()
    return ProgrammeInfo.from_row(row)


async def create_programme(actor: Actor | None, draft: ProgrammeDraft) -> int:
    _check_programme(draft)
    async with db.transaction():
        if await Programme.exists().where(Programme.slug == draft.slug):
            raise Conflict("slug_taken", fields={"slug": "slug_taken"})
        rows = await Programme.insert(Programme(**asdict(draft)))
        programme_id = int(rows[0]["id"])
        await audit.record_change(actor, "programme", programme_id, None, asdict(draft))
    return programme_id


async def update_programme(actor: Actor | None, programme_id: int, draft: ProgrammeDraft) -> None:
    _check_programme(draft)
    async with db.transaction():
        before = (await get_programme(programme_id)).as_dict()
        if await Programme.exists().where((Programme.slug == draft.slug) & (Programme.id != programme_id)):
            raise Conflict("slug_taken", fields={"slug": "slug_taken"})
        await Programme.update({getattr(Programme, k): v for k, v in asdict(draft).items()}).where(
            Programme.id == programme_id
        )
        await audit.record_change(actor, "programme", programme_id, before, {**before, **asdict(draft)})


async def delete_programme(actor: Actor | None, programme_id: int) -> None:
    async with db.transaction():
        before = (await get_programme(programme_id)).as_dict()
        if await TrainingSession.exists().where(TrainingSession.programme == programme_id):
            raise Conflict("programme_has_sessions")
        await Programme.delete().where(Programme.id == programme_id)
        await audit.record_change(actor, "programme", programme_id, before, None)
