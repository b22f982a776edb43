"""The profile an enrollment keeps: name as printed, school, subject, grade band and title as they were when the
enrollment was made (its county and school id are kept beside them).

A teacher is one person across the years and her record follows her (a new school, a new title); what she was
in 2019 stays with the 2019 enrollment, so the 2019 roster, its export, its certificate and the statistics of
2019 read the same thing in 2027. Erasure masks the name here as everywhere else (privacy/service.py).

One exception, on purpose: a corrected name. A name identifies the person and does not change with her job; when
an organiser corrects a misspelt name, `correct_name` carries it into her enrollments' snapshots, so the next
roster and a re-issued certificate print it right (issued certificates change only by revoke and re-issue).
"""

from __future__ import annotations

from typing import Any

from training import db
from training.enrollment.rules import Registration

# enrollment column → teacher column it is taken from (the backfill migration copies the same pairs)
COLUMNS = {
    "teacher_name": "name",
    "school_name": "school_name",
    "subject": "subject",
    "grade_band": "grade_band",
    "teacher_title": "title",
}
LENGTHS = {"teacher_name": 64, "school_name": 128, "subject": 32, "grade_band": 16, "teacher_title": 32}


def _fit(values: dict[str, Any]) -> dict[str, str]:
    return {k: str(values.get(k) or "")[: LENGTHS[k]] for k in COLUMNS}


def of_registration(reg: Registration, *, name: str | None = None) -> dict[str, str]:
    """The snapshot columns of an enrollment made from this registration (online, nomination, import).
    name: the name on file of a teacher already known (her record's name is not changed by what was typed)."""
    return _fit(
        {
            "teacher_name": reg.name if name is None else name,
            "school_name": reg.school_name,
            "subject": reg.subject,
            "grade_band": reg.grade_band,
            "teacher_title": reg.title,
        }
    )


def of_teacher(teacher: dict[str, Any]) -> dict[str, str]:
    """The snapshot columns from a teacher row (columns named as in the teacher table)."""
    return _fit({column: teacher.get(source) for column, source in COLUMNS.items()})


def select_sql(e: str = "e", t: str = "t") -> str:
    """The snapshot columns for a SELECT joining enrollment `e` and teacher `t`, named as the teacher's columns
    (name, school_name, subject, grade_band, title). An enrollment without a snapshot (only rows written past
    the service, e.g. by a bulk load) shows today's profile instead of blanks."""
    parts = []
    for column, source in COLUMNS.items():
        parts.append(
            f'CASE WHEN {e}."teacher_name" = \'\' THEN {t}."{source}" ELSE {e}."{column}" END AS "{source}"'
        )
    return ", ".join(parts)


async def correct_name(teacher_id: int, name: str) -> int:
    """Carry a corrected name into every enrollment snapshot of this teacher (call inside the transaction that
    corrects the teacher, which audits it); returns how many enrollments changed."""
    rows = await db.fetch(
        'UPDATE "enrollment" SET "teacher_name" = {} WHERE "teacher" = {} AND "teacher_name" <> {} RETURNING "id"',
        name[: LENGTHS["teacher_name"]],
        teacher_id,
        name[: LENGTHS["teacher_name"]],
    )
    return len(rows)
