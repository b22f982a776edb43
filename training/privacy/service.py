"""A teacher's personal data on request (PIPL): export everything we hold, or erase it.

Erasure blanks every personal field but keeps the rows, so per-county statistics stay true: the teacher row
keeps county, school, subject and the years of participation; enrollments and check-ins stay; certificate
snapshots keep only the masked name. Files go too: every rendered certificate (PDF and preview, all revisions;
an organiser opening one later gets it redrawn from the masked snapshot) and every import upload waiting for its
confirmation (encrypted, but they may list her). Mails to her lose address, bodies and attachments; her QR and
manual codes are withdrawn (a scan answers `code_revoked`) and her self-service links open nothing. Her answers to
sessions' questions are deleted (the export lists them with the wording answered).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.columns import Column

from training import db
from training.audit.writer import record
from training.certificates.jobs import file_name
from training.certificates.tables import Certificate
from training.checkin.tables import CheckIn
from training.core.actor import Actor
from training.core.masking import mask_name
from training.core.tokens import WITHDRAWN
from training.enrollment import answers, uploads
from training.enrollment.tables import Enrollment
from training.errors import NotFound
from training.mail.tables import OutboxMessage
from training.people.service import reveal_id_number, reveal_phone
from training.people.tables import Teacher


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export_teacher_data(teacher_id: int, actor: Actor) -> dict[str, Any]:
    """Everything held about one teacher, decrypted, as JSON-ready data. The export itself is audited."""
    teacher = await Teacher.select().where(Teacher.id == teacher_id).first()
    if teacher is None:
        raise NotFound()
    enrollments = await Enrollment.select(
        Enrollment.id,
        Enrollment.session.title,
        Enrollment.status,
        Enrollment.created_at,
        Enrollment.confirmed_at,
        Enrollment.cancelled_at,
        Enrollment.source,
    ).where(Enrollment.teacher == teacher_id)
    enrollment_ids = [e["id"] for e in enrollments]
    check_ins = (
        await CheckIn.select(
            CheckIn.enrollment, CheckIn.block.day, CheckIn.block.half_day, CheckIn.scanned_at
        ).where(CheckIn.enrollment.is_in(enrollment_ids))
        if enrollment_ids
        else []
    )
    certificates = (
        await Certificate.select(
            Certificate.serial,
            Certificate.session_title,
            Certificate.hours,
            Certificate.issued_at,
            Certificate.revoked_at,
        ).where(Certificate.enrollment.is_in(enrollment_ids))
        if enrollment_ids
        else []
    )
    profile = {
        key: _iso(value)
        for key, value in teacher.items()
        if key not in ("id_hash", "id_encrypted", "phone_hash", "phone_encrypted")
    }
    if not teacher["erased"]:
        profile["id_number"] = reveal_id_number(teacher)
        profile["phone"] = reveal_phone(teacher)
    given = await answers.answers_of_teacher(teacher_id)
    await record(actor, "export_personal_data", "teacher", teacher_id)
    return {
        "teacher": profile,
        "enrollments": [{k: _iso(v) for k, v in e.items()} for e in enrollments],
        "check_ins": [{k: _iso(v) for k, v in c.items()} for c in check_ins],
        "certificates": [{k: _iso(v) for k, v in c.items()} for c in certificates],
        "answers": [{k: _iso(v) for k, v in a.items()} for a in given],
    }


async def erase_teacher(teacher_id: int, actor: Actor, reason: str, *, data_dir: Path) -> None:
    await _erase_rows(teacher_id, actor, reason)
    # After the commit: re-running an erasure (e.g. after a crash here) removes whatever is left.
    await asyncio.to_thread(_remove_files, data_dir, await _certificates_of(teacher_id))


async def _certificates_of(teacher_id: int) -> list[dict[str, Any]]:
    return list(
        await Certificate.select(Certificate.session, Certificate.serial, Certificate.revision).where(
            Certificate.enrollment.teacher == teacher_id
        )
    )


def _remove_files(data_dir: Path, certificates: list[dict[str, Any]]) -> None:
    for cert in certificates:
        for revision in range(1, int(cert["revision"]) + 1):
            for suffix in ("pdf", "png"):
                path = data_dir / file_name(int(cert["session"]), cert["serial"], revision, suffix)
                path.unlink(missing_ok=True)
    # Print runs of her sessions carry her name on a page and in the zip: removed (an organiser builds a new one).
    for session_id in {int(cert["session"]) for cert in certificates}:
        shutil.rmtree(data_dir / "certificates" / str(session_id) / "print", ignore_errors=True)
    uploads.sweep(data_dir, everything=True)


async def _erase_rows(teacher_id: int, actor: Actor, reason: str) -> None:
    async with db.transaction():
        teacher = (
            await Teacher.select(Teacher.id, Teacher.name, Teacher.email, Teacher.erased)
            .where(Teacher.id == teacher_id)
            .first()
        )
        if teacher is None:
            raise NotFound()
        if teacher["erased"]:
            return
        masked = mask_name(teacher["name"])
        await Teacher.update(
            {
                Teacher.id_hash: "erased:" + secrets.token_hex(16),
                Teacher.id_encrypted: "",
                Teacher.id_masked: "",
                Teacher.name: masked,
                Teacher.phone_hash: "",
                Teacher.phone_encrypted: "",
                Teacher.phone_masked: "",
                Teacher.email: "",
                Teacher.birth_date: None,
                Teacher.ethnicity: "",
                Teacher.erased: True,
                Teacher.updated_at: datetime.now(UTC),
            }
        ).where(Teacher.id == teacher_id)
        enrollment_ids = [
            row["id"]
            for row in await Enrollment.select(Enrollment.id).where(Enrollment.teacher == teacher_id)
        ]
        blank_mail: dict[Column | str, Any] = {
            OutboxMessage.to_addr: "",
            OutboxMessage.to_encrypted: "",  # an SMS copy's number
            OutboxMessage.body_text: "",
            OutboxMessage.body_html: "",
            OutboxMessage.attachments: [],
        }
        if enrollment_ids:
            await Certificate.update({Certificate.teacher_name: masked}).where(
                Certificate.enrollment.is_in(enrollment_ids)
            )
            # the enrollments' profile snapshots keep school and subject for the statistics, not the name
            await Enrollment.update({Enrollment.teacher_name: masked}).where(
                Enrollment.id.is_in(enrollment_ids)
            )
            await OutboxMessage.delete().where(
                OutboxMessage.enrollment_id.is_in(enrollment_ids) & (OutboxMessage.status != "sent")
            )
            await OutboxMessage.update(blank_mail).where(OutboxMessage.enrollment_id.is_in(enrollment_ids))
            await Enrollment.update({Enrollment.token_nonce: WITHDRAWN}).where(
                Enrollment.id.is_in(enrollment_ids)
            )
        await answers.erase_answers_of_teacher(teacher_id)
        if teacher["email"]:
            await OutboxMessage.update(blank_mail).where(OutboxMessage.to_addr == teacher["email"])
        # 学时证明 already handed out keep their hours for /verify, with the masked name
        await db.fetch(
            'UPDATE "hours_statement" SET "teacher_name" = {} WHERE "teacher" = {}', masked, teacher_id
        )
        await record(actor, "erase_personal_data", "teacher", teacher_id, {"reason": reason})
