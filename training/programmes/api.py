"""JSON API for scripting the set-up: /api/v1/programmes, sessions, quotas, blocks. Organisers only.

Errors are `{"error": code, "message", "fields": {field: code}, "params", "request_id"}` with 401/403/404/409/422;
lists are `{"items", "total", "limit", "offset"}`. Writes need the `x-csrftoken` header (the `csrftoken` cookie).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from training.programmes import rules, service, sessions, states
from training.programmes.models import TimetableBlock
from training.programmes.rules import BlockDraft, SessionDraft
from training.programmes.states import RegistrationMode
from training.web.guards import current_principal, organiser_only
from training.web.openapi import choice, query_choice

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="rows to skip")]
Req = Request[Any, Any, Any]
HalfDay = Annotated[str, choice(rules.HALF_DAYS)]
Mode = Annotated[str, choice(rules.MODES)]
SessionStatus = Annotated[str, choice(rules.STATUSES)]
ProgrammeKind = Annotated[str, choice(rules.PROGRAMME_KINDS)]


# --- bodies and answers -----------------------------------------------------------------------------------------


@dataclass
class SessionIn(SessionDraft):
    """The session draft as the API documents it: the same fields, `mode` with its allowed values."""

    mode: Mode = RegistrationMode.OPEN


class ProgrammeIn(msgspec.Struct):
    slug: str
    name: str
    kind: ProgrammeKind = states.ProgrammeKind.SUMMER
    name_en: str = ""
    description: str = ""


class ProgrammeOut(msgspec.Struct):
    id: int
    slug: str
    name: str
    name_en: str
    kind: ProgrammeKind
    description: str


class ProgrammePage(msgspec.Struct):
    items: list[ProgrammeOut]
    total: int
    limit: int
    offset: int


class SessionPatch(msgspec.Struct):
    """Only the fields sent are changed."""

    programme_id: int | UnsetType = UNSET
    title: str | UnsetType = UNSET
    starts_on: date | UnsetType = UNSET
    ends_on: date | UnsetType = UNSET
    capacity: int | UnsetType = UNSET
    year: int | UnsetType | None = UNSET
    number: int | UnsetType | None = UNSET
    mode: Mode | UnsetType = UNSET
    venue: str | UnsetType = UNSET
    host_city: str | UnsetType = UNSET
    host_institution: str | UnsetType = UNSET
    registration_opens_at: datetime | UnsetType | None = UNSET
    registration_closes_at: datetime | UnsetType | None = UNSET
    nomination_deadline: datetime | UnsetType | None = UNSET
    completion_hours: float | UnsetType | None = UNSET
    completion_percent: float | UnsetType | None = UNSET
    contact_name: str | UnsetType = UNSET
    contact_phone: str | UnsetType = UNSET
    description: str | UnsetType = UNSET


class SessionOut(msgspec.Struct):
    id: int
    programme_id: int
    programme_name: str
    title: str
    number: int | None
    year: int
    starts_on: date
    ends_on: date
    status: SessionStatus
    mode: Mode
    venue: str
    host_city: str
    host_institution: str
    capacity: int
    seats_taken: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    nomination_deadline: datetime | None
    completion_hours: float | None
    completion_percent: float | None
    release_unused_quota_on: date | None
    contact_name: str
    contact_phone: str
    description: str


class SessionPage(msgspec.Struct):
    items: list[SessionOut]
    total: int
    limit: int
    offset: int


class StatusIn(msgspec.Struct):
    status: SessionStatus


class CopyIn(msgspec.Struct):
    starts_on: date
    title: str | None = None
    number: int | None = None


class QuotaIn(msgspec.Struct):
    county_id: int
    quota: int | None = None  # None: eligible without reserved seats


class QuotasIn(msgspec.Struct):
    """The whole eligible-county list (counties left out are no longer eligible)."""

    quotas: list[QuotaIn]
    release_unused_quota_on: date | None = None


class QuotaOut(msgspec.Struct):
    county_id: int
    county_code: str
    county_name: str
    quota: int | None
    seats_held: int


class QuotasOut(msgspec.Struct):
    session_id: int
    capacity: int
    release_unused_quota_on: date | None
    quotas: list[QuotaOut]


class BlockIn(msgspec.Struct):
    day: date
    half_day: HalfDay
    starts_at: time | None = None  # default: the usual time of that half day
    ends_at: time | None = None
    topic: str = ""
    instructor: str = ""
    room: str = ""
    hours: float | None = None  # default: the block's length
    cancelled: bool = False


class DayIn(msgspec.Struct):
    """A whole day at once: one block per part given."""

    day: date
    blocks: list[BlockIn]


class CopyTimetableIn(msgspec.Struct):
    from_session_id: int


class BlockOut(msgspec.Struct):
    id: int
    session_id: int
    day: date
    half_day: HalfDay
    starts_at: time
    ends_at: time
    topic: str
    instructor: str
    room: str
    hours: float
    cancelled: bool


class BlockPage(msgspec.Struct):
    items: list[BlockOut]
    total: int
    limit: int
    offset: int


class Created(msgspec.Struct):
    id: int


class CreatedMany(msgspec.Struct):
    ids: list[int]


def session_out(session: sessions.Session) -> SessionOut:
    return msgspec.convert({**session.as_dict(), "programme_id": session.programme}, SessionOut)


def block_out(block: TimetableBlock) -> BlockOut:
    return msgspec.convert({**block.as_dict(), "session_id": block.session}, BlockOut)


def block_draft(body: BlockIn, day: date | None = None) -> BlockDraft:
    default_start, default_end = rules.HALF_DAY_TIMES.get(body.half_day, (time(8, 30), time(11, 30)))
    return BlockDraft(
        day=day or body.day,
        half_day=body.half_day,
        starts_at=body.starts_at or default_start,
        ends_at=body.ends_at or default_end,
        topic=body.topic,
        instructor=body.instructor,
        room=body.room,
        hours=body.hours,
        cancelled=body.cancelled,
    )


async def quotas_out(session_id: int) -> QuotasOut:
    session = await sessions.get_session(session_id)
    rows = await service.get_quotas(session_id)
    return QuotasOut(
        session_id=session_id,
        capacity=session.capacity,
        release_unused_quota_on=session.release_unused_quota_on,
        quotas=[QuotaOut(r.county, r.county_code, r.county_name, r.quota, r.seats_held) for r in rows],
    )


async def blocks_page(session_id: int, limit: int, offset: int) -> BlockPage:
    await sessions.get_session(session_id)
    rows = await service.list_blocks(session_id)
    items = [block_out(r) for r in rows[offset : offset + limit]]
    return BlockPage(items=items, total=len(rows), limit=limit, offset=offset)


def _fields(struct: msgspec.Struct) -> dict[str, Any]:
    return {f: getattr(struct, f) for f in struct.__struct_fields__ if getattr(struct, f) is not UNSET}


# --- controllers ------------------------------------------------------------------------------------------------


class ProgrammeApi(Controller):
    path = "/api/v1/programmes"
    guards = (organiser_only,)
    tags = ("programmes",)

    @get("/", name="api_programmes", summary="List programmes")
    async def list(self, limit: Limit = 50, offset: Offset = 0) -> ProgrammePage:
        rows = await service.list_programmes()
        items = [
            msgspec.convert(r, ProgrammeOut, from_attributes=True) for r in rows[offset : offset + limit]
        ]
        return ProgrammePage(items=items, total=len(rows), limit=limit, offset=offset)

    @post("/", name="api_programme_create", summary="Create a programme")
    async def create(self, request: Req, data: JSONBody[ProgrammeIn]) -> Created:
        draft = service.ProgrammeDraft(**msgspec.structs.asdict(data))
        return Created(id=await service.create_programme(current_principal(request), draft))

    @get("/{programme_id:int}", name="api_programme", summary="One programme")
    async def one(self, programme_id: FromPath[int]) -> ProgrammeOut:
        return msgspec.convert(await service.get_programme(programme_id), ProgrammeOut, from_attributes=True)

    @put("/{programme_id:int}", name="api_programme_replace", summary="Replace a programme's fields")
    async def replace(
        self, request: Req, programme_id: FromPath[int], data: JSONBody[ProgrammeIn]
    ) -> ProgrammeOut:
        draft = service.ProgrammeDraft(**msgspec.structs.asdict(data))
        await service.update_programme(current_principal(request), programme_id, draft)
        return msgspec.convert(await service.get_programme(programme_id), ProgrammeOut, from_attributes=True)

    @delete("/{programme_id:int}", name="api_programme_delete", summary="Delete a programme without sessions")
    async def remove(self, request: Req, programme_id: FromPath[int]) -> None:
        await service.delete_programme(current_principal(request), programme_id)


class SessionApi(Controller):
    path = "/api/v1/sessions"
    guards = (organiser_only,)
    tags = ("sessions",)

    @get("/", name="api_sessions", summary="List sessions (newest first)")
    async def list(
        self,
        programme_id: Annotated[int | None, QueryParameter()] = None,
        status: Annotated[str | None, query_choice(rules.STATUSES, "all if absent")] = None,
        year: Annotated[int | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> SessionPage:
        page = await sessions.list_sessions(
            programme_id=programme_id, status=status, year=year, limit=limit, offset=offset
        )
        return SessionPage(
            items=[session_out(r) for r in page.items], total=page.total, limit=limit, offset=offset
        )

    @post("/", name="api_session_create", summary="Create a session (as a draft)")
    async def create(self, request: Req, data: JSONBody[SessionIn]) -> SessionOut:
        """completion: give completion_hours or completion_percent; times are ISO 8601 with a zone."""
        session_id = await service.create_session(current_principal(request), data)
        return session_out(await sessions.get_session(session_id))

    @get("/{session_id:int}", name="api_session", summary="One session")
    async def one(self, session_id: FromPath[int]) -> SessionOut:
        return session_out(await sessions.get_session(session_id))

    @patch("/{session_id:int}", name="api_session_change", summary="Change some fields of a session")
    async def change(
        self, request: Req, session_id: FromPath[int], data: JSONBody[SessionPatch]
    ) -> SessionOut:
        draft = service.draft_of(await sessions.get_session(session_id))
        for name, value in _fields(data).items():
            setattr(draft, name, value)
        await service.update_session(current_principal(request), session_id, draft)
        return session_out(await sessions.get_session(session_id))

    @delete("/{session_id:int}", name="api_session_delete", summary="Delete a session nobody enrolled in")
    async def remove(self, request: Req, session_id: FromPath[int]) -> None:
        await service.delete_session(current_principal(request), session_id)

    @post(
        "/{session_id:int}/status", name="api_session_status", summary="Publish, close or unpublish a session"
    )
    async def status(self, request: Req, session_id: FromPath[int], data: JSONBody[StatusIn]) -> SessionOut:
        await service.set_status(current_principal(request), session_id, data.status)
        return session_out(await sessions.get_session(session_id))

    @post(
        "/{session_id:int}/copy",
        name="api_session_copy",
        summary="Copy a session (fields, quotas, timetable) to a new start date",
    )
    async def copy(self, request: Req, session_id: FromPath[int], data: JSONBody[CopyIn]) -> SessionOut:
        new_id = await service.copy_session(
            current_principal(request),
            session_id,
            starts_on=data.starts_on,
            title=data.title,
            number=data.number,
        )
        return session_out(await sessions.get_session(new_id))

    @get("/{session_id:int}/quotas", name="api_session_quotas", summary="Eligible counties and their seats")
    async def quotas(self, session_id: FromPath[int]) -> QuotasOut:
        return await quotas_out(session_id)

    @put(
        "/{session_id:int}/quotas",
        name="api_session_quotas_replace",
        summary="Replace the eligible counties and their seats",
    )
    async def set_quotas(
        self, request: Req, session_id: FromPath[int], data: JSONBody[QuotasIn]
    ) -> QuotasOut:
        quotas = {q.county_id: q.quota for q in data.quotas}
        await service.set_quotas(current_principal(request), session_id, quotas, data.release_unused_quota_on)
        return await quotas_out(session_id)

    @get("/{session_id:int}/blocks", name="api_session_blocks", summary="The timetable")
    async def blocks(self, session_id: FromPath[int], limit: Limit = 200, offset: Offset = 0) -> BlockPage:
        return await blocks_page(session_id, limit, offset)

    @post("/{session_id:int}/blocks", name="api_session_block_add", summary="Add one block")
    async def add_block(self, request: Req, session_id: FromPath[int], data: JSONBody[BlockIn]) -> BlockOut:
        ids = await service.add_blocks(current_principal(request), session_id, [block_draft(data)])
        return block_out(await service.get_block(ids[0]))

    @post(
        "/{session_id:int}/days",
        name="api_session_day_add",
        summary="Add a whole day of blocks at once (all or none)",
    )
    async def add_day(self, request: Req, session_id: FromPath[int], data: JSONBody[DayIn]) -> CreatedMany:
        drafts = [block_draft(b, day=data.day) for b in data.blocks]
        return CreatedMany(ids=await service.add_blocks(current_principal(request), session_id, drafts))

    @post(
        "/{session_id:int}/copy-timetable",
        name="api_session_timetable_copy",
        summary="Copy another session's timetable, day n onto day n",
    )
    async def copy_timetable(
        self, request: Req, session_id: FromPath[int], data: JSONBody[CopyTimetableIn]
    ) -> BlockPage:
        await service.copy_timetable(current_principal(request), session_id, data.from_session_id)
        return await blocks_page(session_id, 500, 0)


class BlockApi(Controller):
    path = "/api/v1/blocks"
    guards = (organiser_only,)
    tags = ("blocks",)

    @get("/{block_id:int}", name="api_block", summary="One block")
    async def one(self, block_id: FromPath[int]) -> BlockOut:
        return block_out(await service.get_block(block_id))

    @put("/{block_id:int}", name="api_block_replace", summary="Replace a block's fields")
    async def replace(self, request: Req, block_id: FromPath[int], data: JSONBody[BlockIn]) -> BlockOut:
        await service.update_block(current_principal(request), block_id, block_draft(data))
        return block_out(await service.get_block(block_id))

    @delete("/{block_id:int}", name="api_block_delete", summary="Delete a block nobody checked in to")
    async def remove(self, request: Req, block_id: FromPath[int]) -> None:
        await service.delete_block(current_principal(request), block_id)


route_handlers: list[Any] = [ProgrammeApi, SessionApi, BlockApi]
