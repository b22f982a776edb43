"""Pending changes to a teacher's record: proposed by registrations, nominations and imports, applied only when
proven (a code to the contact on file, her self-service link) or confirmed by an organiser; and organisers'
direct edits. Every change is audited as field → [old, new], masked where personal (docs/people.md).

Functions that write take effect in the caller's write transaction when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from training import db, keys
from training.audit import writer as audit
from training.core.actor import Actor
from training.core.masking import mask_phone
from training.core.phones import normalize_mobile
from training.errors import Conflict, NotFound, ValidationFailed
from training.people import (
    change_messages,  # noqa: F401  (registers error texts)
    hooks,
    sql,
)
from training.people.changes import (
    CONTACT,
    DIRECT,
    FIELDS,
    IDENTITY,
    differences,
    masked_changes,
    shown,
)
from training.people.states import ChangeRequestStatus, DecidedVia
from training.people.tables import County, School, Teacher, TeacherChangeRequest

REASON_MAX = 500


def plain_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable fields of a teacher row, with the phone decrypted (never leaves the server)."""
    values = {name: row.get(name) for name in FIELDS if name != "phone"}
    values["phone"] = (
        keys.current().field_cipher.decrypt(row["phone_encrypted"], "phone")
        if row.get("phone_encrypted")
        else ""
    )
    return values


async def teacher_row(teacher_id: int) -> dict[str, Any]:
    row = await Teacher.select().where(Teacher.id == teacher_id).first()
    if row is None:
        raise NotFound()
    return row


async def _county_labels(ids: Iterable[Any]) -> dict[int, str]:
    wanted = [int(i) for i in ids if i not in ("", None)]
    if not wanted:
        return {}
    rows = await County.select(County.id, County.name).where(County.id.is_in(wanted))
    return {int(r["id"]): r["name"] for r in rows}


async def _display(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """masked_changes with county ids shown as county names."""
    summary = masked_changes(changes)
    if "county" in changes:
        labels = await _county_labels(changes["county"])
        summary["county"] = [
            labels.get(int(v), str(v)) if v not in ("", None) else "" for v in changes["county"]
        ]
    return summary


def _encrypt(values: Mapping[str, Any]) -> str:
    return keys.current().field_cipher.encrypt(json.dumps(dict(values), ensure_ascii=False), "change")


def _decrypt(token: str) -> dict[str, Any]:
    return dict(json.loads(keys.current().field_cipher.decrypt(token, "change")))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# ----------------------------------------------------------------------------------------------------------------
# Writing the record


async def write_fields(
    teacher_id: int,
    values: Mapping[str, Any],
    *,
    actor: Actor | None,
    via: str,
    reason: str = "",
    action: str = "update",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """Set fields of the record (the phone re-protected: hash, ciphertext, mask) and audit field → [old, new],
    masked where personal. Returns the audited changes (empty: nothing differed, nothing written)."""
    row = await teacher_row(teacher_id)
    changes = differences(plain_record(row), values)
    if not changes:
        return {}
    updates: dict[Any, Any] = {}
    for name, (_, new) in changes.items():
        if name == "phone":
            phone = normalize_mobile(str(new))
            k = keys.current()
            updates[Teacher.phone_hash] = k.hash_phone(phone)
            updates[Teacher.phone_encrypted] = k.field_cipher.encrypt(phone, "phone")
            updates[Teacher.phone_masked] = mask_phone(phone)
        elif name == "birth_date":
            updates[Teacher.birth_date] = date.fromisoformat(str(new))
        elif name in ("county", "years_teaching"):
            updates[getattr(Teacher, name)] = int(new)
        else:
            updates[getattr(Teacher, name)] = str(new)
    if "county" in changes or "school_name" in changes:
        county = int(changes["county"][1]) if "county" in changes else int(row["county"])
        school = changes["school_name"][1] if "school_name" in changes else row["school_name"]
        found = (
            await School.select(School.id).where((School.county == county) & (School.name == school)).first()
        )
        updates[Teacher.school] = int(found["id"]) if found else None
    updates[Teacher.updated_at] = datetime.now(UTC)
    await Teacher.update(updates).where(Teacher.id == teacher_id)
    if "name" in changes:
        # A corrected name reaches her enrollments' printed name too (people/hooks.py); school, subject and title
        # stay as each enrollment was made.
        await hooks.name_corrected(teacher_id, str(changes["name"][1]))
    audited: dict[str, Any] = await _display(changes)
    await audit.record(
        actor, action, "teacher", teacher_id, {**audited, "via": via, "reason": reason, **(extra or {})}
    )
    return audited


# ----------------------------------------------------------------------------------------------------------------
# Proposals from registrations, nominations, imports


async def propose(
    teacher_id: int,
    proposed: Mapping[str, Any],
    *,
    origin: str,
    enrollment_id: int | None,
    actor: Actor | None,
) -> int | None:
    """Compare a submission with the record: years of teaching are updated, everything else that differs becomes
    a pending change request (audited); the record's contact and identity stay as they are. Returns the request id,
    or None when nothing else differed. Call inside the transaction that creates the enrollment."""
    row = await teacher_row(teacher_id)
    changes = differences(plain_record(row), proposed)
    if not changes:
        return None
    direct = {k: v[1] for k, v in changes.items() if k in DIRECT}
    if direct:
        await write_fields(teacher_id, direct, actor=actor, via=origin, extra={"enrollment": enrollment_id})
    pending = {k: v for k, v in changes.items() if k not in DIRECT}
    if not pending:
        return None
    summary = await _display(pending)
    request_id = await db.insert(
        "teacher_change_request",
        {
            "teacher": teacher_id,
            "enrollment_id": enrollment_id,
            "origin": origin,
            "status": ChangeRequestStatus.PENDING,
            "proposed_encrypted": _encrypt({k: _jsonable(v[1]) for k, v in pending.items()}),
            "summary": json.dumps(summary, ensure_ascii=False),
            "requested_by": actor.user_id if actor else None,
            "created_at": datetime.now(UTC),
        },
    )
    await audit.record(
        actor,
        "propose_change",
        "teacher",
        teacher_id,
        {**summary, "via": origin, "enrollment": enrollment_id, "change_request": request_id},
    )
    return request_id


def _summary(row: Mapping[str, Any]) -> dict[str, list[Any]]:
    value = row["summary"]
    return dict(json.loads(value)) if isinstance(value, str) else dict(value or {})


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    id: int
    teacher_id: int
    teacher_name: str
    id_masked: str
    county_id: int
    enrollment_id: int | None
    origin: str
    status: str
    summary: dict[str, list[Any]]
    created_at: datetime
    reason: str
    decided_via: str

    @property
    def identity_fields(self) -> list[str]:
        return [f for f in self.summary if f in IDENTITY]

    @property
    def contact_fields(self) -> list[str]:
        return [f for f in self.summary if f in CONTACT]


async def list_requests(
    *,
    status: str = ChangeRequestStatus.PENDING,
    teacher_id: int | None = None,
    request_id: int | None = None,
    limit: int = 200,
) -> list[ChangeRequest]:
    R = TeacherChangeRequest
    query = R.select(*R.all_columns(), R.teacher.name, R.teacher.id_masked, R.teacher.county)
    if status:
        query = query.where(R.status == status)
    if teacher_id is not None:
        query = query.where(R.teacher == teacher_id)
    if request_id is not None:
        query = query.where(R.id == request_id)
    rows = await query.order_by(R.id, ascending=False).limit(limit)
    return [
        ChangeRequest(
            id=int(r["id"]),
            teacher_id=int(r["teacher"]),
            teacher_name=r["teacher.name"],
            id_masked=r["teacher.id_masked"],
            county_id=int(r["teacher.county"]),
            enrollment_id=int(r["enrollment_id"]) if r["enrollment_id"] is not None else None,
            origin=r["origin"],
            status=r["status"],
            summary=_summary(r),
            created_at=r["created_at"],
            reason=r["reason"] or "",
            decided_via=r["decided_via"] or "",
        )
        for r in rows
    ]


async def get_request(request_id: int) -> ChangeRequest:
    found = await list_requests(status="", request_id=request_id, limit=1)
    if not found:
        raise NotFound()
    return found[0]


async def _locked_pending(request_id: int) -> dict[str, Any]:
    row = await TeacherChangeRequest.select().where(TeacherChangeRequest.id == request_id).first()
    if row is None:
        raise NotFound()
    if row["status"] != ChangeRequestStatus.PENDING:
        raise Conflict("change_already_decided")
    return row


async def confirm(
    request_id: int,
    *,
    via: str,
    actor: Actor | None,
    reason: str = "",
    teacher_id: int | None = None,
) -> dict[str, list[Any]]:
    """Apply a pending request. An organiser (via="organiser") applies all of it and must give a reason; the
    teacher's own proof (code_on_file, self_link) applies all but the identity fields, which stay pending for an
    organiser. Call inside a write transaction. Returns what changed."""
    row = await _locked_pending(request_id)
    if teacher_id is not None and int(row["teacher"]) != teacher_id:
        raise NotFound()
    staff = via in (DecidedVia.ORGANISER, DecidedVia.IMPORT)  # an organiser's decision, with a reason
    if staff and not reason.strip():
        raise ValidationFailed({"reason": "required"})
    proposed = _decrypt(row["proposed_encrypted"])
    allowed = {k: v for k, v in proposed.items() if staff or k not in IDENTITY}
    left = {k: v for k, v in proposed.items() if k not in allowed}
    applied = await write_fields(
        int(row["teacher"]),
        allowed,
        actor=actor,
        via=via,
        reason=reason.strip()[:REASON_MAX],
        action="confirm_change",
        extra={"change_request": request_id},
    )
    now = datetime.now(UTC)
    if left:  # the identity fields wait for an organiser
        summary = {k: v for k, v in _summary(row).items() if k in left}
        await TeacherChangeRequest.update(
            {
                TeacherChangeRequest.proposed_encrypted: _encrypt(left),
                TeacherChangeRequest.summary: json.dumps(summary, ensure_ascii=False),
                TeacherChangeRequest.decided_via: via,
            }
        ).where(TeacherChangeRequest.id == request_id)
    else:
        await TeacherChangeRequest.update(
            {
                TeacherChangeRequest.status: ChangeRequestStatus.APPLIED,
                TeacherChangeRequest.decided_by: actor.user_id if actor else None,
                TeacherChangeRequest.decided_via: via,
                TeacherChangeRequest.reason: reason.strip()[:REASON_MAX],
                TeacherChangeRequest.decided_at: now,
            }
        ).where(TeacherChangeRequest.id == request_id)
    return applied


async def reject(request_id: int, *, actor: Actor, reason: str) -> None:
    """An organiser refuses a pending request (with a reason); the record stays as it is."""
    if not reason.strip():
        raise ValidationFailed({"reason": "required"})
    async with db.transaction():
        row = await _locked_pending(request_id)
        await TeacherChangeRequest.update(
            {
                TeacherChangeRequest.status: ChangeRequestStatus.REJECTED,
                TeacherChangeRequest.decided_by: actor.user_id,
                TeacherChangeRequest.decided_via: DecidedVia.ORGANISER,
                TeacherChangeRequest.reason: reason.strip()[:REASON_MAX],
                TeacherChangeRequest.decided_at: datetime.now(UTC),
            }
        ).where(TeacherChangeRequest.id == request_id)
        await audit.record(
            actor,
            "reject_change",
            "teacher",
            int(row["teacher"]),
            {
                "change_request": request_id,
                "fields": sorted(_summary(row)),
                "reason": reason.strip()[:REASON_MAX],
            },
        )


async def shown_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """field → [old, new] as pages show it (masked where personal, counties by name)."""
    return await _display(changes)


async def apply_for_enrollment(enrollment_id: int, *, actor: Actor | None, reason: str) -> bool:
    """Apply the pending request an enrollment's submission made (an organiser's import with changes applied)."""
    row = (
        await TeacherChangeRequest.select(TeacherChangeRequest.id)
        .where(
            (TeacherChangeRequest.enrollment_id == enrollment_id)
            & (TeacherChangeRequest.status == ChangeRequestStatus.PENDING)
        )
        .first()
    )
    if row is None:
        return False
    async with db.transaction():
        await confirm(int(row["id"]), via=DecidedVia.IMPORT, actor=actor, reason=reason)
    return True


async def confirm_by_organiser(request_id: int, *, actor: Actor, reason: str) -> dict[str, list[Any]]:
    async with db.transaction():
        return await confirm(request_id, via=DecidedVia.ORGANISER, actor=actor, reason=reason)


async def reveal(request_id: int, *, actor: Actor) -> dict[str, tuple[Any, Any]]:
    """The unmasked old → new values of a request, for an organiser who must compare them; audited."""
    async with db.transaction():
        row = await TeacherChangeRequest.select().where(TeacherChangeRequest.id == request_id).first()
        if row is None:
            raise NotFound()
        record = plain_record(await teacher_row(int(row["teacher"])))
        proposed = _decrypt(row["proposed_encrypted"])
        await audit.record(
            actor,
            "reveal_change",
            "teacher",
            int(row["teacher"]),
            {"change_request": request_id, "fields": sorted(proposed)},
        )
    labels = await _county_labels([record.get("county"), proposed.get("county")])
    result: dict[str, tuple[Any, Any]] = {}
    for name, new in proposed.items():
        old = record.get(name)
        if name == "county":
            old, new = labels.get(int(old), old) if old else "", labels.get(int(new), new)
        result[name] = (_jsonable(old) if old is not None else "", new)
    return result


async def unproven_enrollment(enrollment_id: int) -> bool:
    """Whether this enrollment's submission proposed changes that were never proven: its self-service link was
    shown to whoever submitted it, so it carries no power over the teacher's record."""
    return await sql.has_unproven_change(enrollment_id)


# ----------------------------------------------------------------------------------------------------------------
# Organisers' edits and searches


async def edit_by_organiser(
    teacher_id: int, values: Mapping[str, Any], *, actor: Actor, reason: str
) -> dict[str, list[Any]]:
    """An organiser corrects any field (validated by the caller), with a required reason; audited."""
    if not reason.strip():
        raise ValidationFailed({"reason": "required"})
    async with db.transaction():
        return await write_fields(
            teacher_id, values, actor=actor, via=DecidedVia.ORGANISER, reason=reason.strip()[:REASON_MAX]
        )


@dataclass(frozen=True, slots=True)
class TeacherHit:
    """A teacher found by a search, masked for display."""

    id: int
    name: str
    id_masked: str
    phone_masked: str
    school_name: str
    subject: str
    title: str
    county_id: int
    county_name: str


async def search(query: str, *, county_id: int | None = None, limit: int = 20) -> list[TeacherHit]:
    """Teachers by name, school or subject (a mobile number matches by keyed hash), masked for display;
    county_id limits to one county (a coordinator's)."""
    from training.people.service import phone_search_hash

    query = " ".join(query.split())[:64]
    if not query:
        return []
    select = Teacher.select(
        Teacher.id,
        Teacher.name,
        Teacher.id_masked,
        Teacher.phone_masked,
        Teacher.school_name,
        Teacher.subject,
        Teacher.title,
        Teacher.county,
        Teacher.county.name,
    ).where(Teacher.erased == False)  # noqa: E712  (Piccolo builds SQL from the comparison)
    if county_id is not None:
        select = select.where(Teacher.county == county_id)
    phone_hash = phone_search_hash(query)
    if phone_hash is not None:
        select = select.where(Teacher.phone_hash == phone_hash)
    else:
        like = f"%{query}%"
        select = select.where(
            Teacher.name.like(like) | Teacher.school_name.like(like) | Teacher.subject.like(like)
        )
    rows = await select.order_by(Teacher.name).limit(limit)
    return [
        TeacherHit(
            id=int(r["id"]),
            name=r["name"],
            id_masked=r["id_masked"],
            phone_masked=r["phone_masked"],
            school_name=r["school_name"],
            subject=r["subject"],
            title=r["title"],
            county_id=int(r["county"]),
            county_name=r["county.name"],
        )
        for r in rows
    ]


def shown_value(field: str, value: Any) -> Any:
    return shown(field, value)
