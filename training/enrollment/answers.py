"""Answers to a session's questions (training/programmes/questions.py): parse a form's fields, save them with the
enrollment, read them for rosters, exports, the API and other packages.

Who answers what (docs/questions.md): a teacher on the registration form answers the teacher questions; a
coordinator on the nomination form the teacher and coordinator questions; organisers on the roster every
question. A posted field for a question the form's answerer may not answer is ignored, never stored.

Values are stored as JSON: text → string, number → int or float, date → "YYYY-MM-DD", date/time →
"YYYY-MM-DDTHH:MM", single choice → the choice's text, multiple choice → a list of texts, yes/no → true/false.
An answer keeps the question's version and wording it answered; saving the same value again keeps them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.i18n import N_, _, register_messages
from training.programmes import questions as question_defs
from training.programmes.question_tables import QuestionKind, Visibility
from training.programmes.questions import Question

TEXT_MAX = 500
NUMBER_LIMIT = 1e12

register_messages(
    {
        "question_number_invalid": N_("Enter a number, e.g. 3 or 2.5."),
        "question_datetime_invalid": N_("Enter a date and time like 2027-07-15 14:30."),
    }
)

# Which questions each kind of form answers.
TEACHER_FORM: tuple[Visibility, ...] = (Visibility.TEACHER,)
NOMINATION_FORM: tuple[Visibility, ...] = (Visibility.TEACHER, Visibility.COORDINATOR)
STAFF_FORM: tuple[Visibility, ...] = (Visibility.TEACHER, Visibility.COORDINATOR, Visibility.STAFF)
STAFF_ONLY: tuple[Visibility, ...] = (Visibility.STAFF,)


# What a form hands to registering.enroll: the questions it asked and the parsed answers (question id → value).
Given = tuple[Sequence[Question], Mapping[int, Any]]


async def form_questions(session_id: int, answerer: Iterable[Visibility]) -> list[Question]:
    """The questions a form asks (not archived), in order."""
    return await question_defs.list_questions(session_id, visibility=tuple(answerer))


@dataclass(frozen=True, slots=True)
class FormAnswers:
    given: Given
    errors: dict[str, str]


async def nomination_answers(session_id: int, values: Mapping[str, str]) -> FormAnswers:
    """The nomination form's answers: the teacher and coordinator questions, required ones enforced."""
    questions = await form_questions(session_id, NOMINATION_FORM)
    parsed = parse(questions, values, NOMINATION_FORM)
    return FormAnswers((questions, parsed.values), parsed.errors)


def visible_to(role: str) -> tuple[Visibility, ...]:
    """The answers a staff role sees: organisers all, coordinators their teachers' and their own, others none."""
    if role == "organiser":
        return STAFF_FORM
    if role == "coordinator":
        return NOMINATION_FORM
    return ()


# --- parsing a form ----------------------------------------------------------------------------------------------


def choice_field(question: Question, index: int) -> str:
    """The checkbox of one choice of a multiple-choice question."""
    return f"{question.field}_c{index}"


def _number(raw: str) -> int | float:
    value = float(raw.replace(",", "").replace("，", ""))
    if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
        raise ValueError(raw)
    return int(value) if value.is_integer() and "." not in raw else value


def _datetime(raw: str) -> str:
    parsed = datetime.fromisoformat(raw.replace(" ", "T", 1))
    if parsed.tzinfo is not None:
        raise ValueError(raw)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def _scalar(question: Question, raw: str) -> tuple[Any, str | None]:
    """(value, problem code) of a non-empty typed value."""
    kind = question.kind
    try:
        if kind == QuestionKind.TEXT:
            return (raw, None) if len(raw) <= TEXT_MAX else (None, "too_long")
        if kind == QuestionKind.NUMBER:
            return _number(raw), None
        if kind == QuestionKind.DATE:
            return date.fromisoformat(raw).isoformat(), None
        if kind == QuestionKind.DATETIME:
            return _datetime(raw), None
    except ValueError:
        return None, {
            QuestionKind.NUMBER: "question_number_invalid",
            QuestionKind.DATE: "invalid_date",
        }.get(kind, "question_datetime_invalid")
    if kind == QuestionKind.CHOICE:
        return (raw, None) if raw in question.choices else (None, "invalid_choice")
    if kind == QuestionKind.YESNO:
        return ({"yes": True, "no": False}[raw], None) if raw in ("yes", "no") else (None, "invalid_choice")
    return None, "invalid_choice"


def parse_one(question: Question, values: Mapping[str, str]) -> tuple[Any, str | None]:
    """(value or None when unanswered, problem code) of one question from a form's values."""
    if question.kind == QuestionKind.CHOICES:
        picked = [
            c for i, c in enumerate(question.choices) if values.get(choice_field(question, i), "").strip()
        ]
        if not picked:
            return None, "required" if question.required else None
        return picked, None
    raw = values.get(question.field, "").strip()
    if not raw:
        return None, "required" if question.required else None
    return _scalar(question, raw)


@dataclass(frozen=True, slots=True)
class Parsed:
    values: dict[int, Any]  # question id → value (None: unanswered)
    errors: dict[str, str]  # form field → problem code
    error_params: dict[str, dict[str, Any]]


def parse(
    questions: Sequence[Question],
    values: Mapping[str, str],
    answerer: Iterable[Visibility],
    *,
    enforce_required: Iterable[Visibility] | None = None,
) -> Parsed:
    """The answers a form carries for the questions its answerer may answer (others' fields are ignored).
    `enforce_required`: the visibilities whose required questions must be answered (default: all answerable)."""
    allowed = set(answerer)
    strict = allowed if enforce_required is None else set(enforce_required)
    result: dict[int, Any] = {}
    errors: dict[str, str] = {}
    params: dict[str, dict[str, Any]] = {}
    for q in questions:
        if q.archived or q.visibility not in allowed:
            continue
        value, problem = parse_one(q, values)
        if problem == "required" and q.visibility not in strict:
            problem = None
        if problem:
            errors[q.field] = problem
            if problem == "too_long":
                params[q.field] = {"max": TEXT_MAX}
        else:
            result[q.id] = value
    return Parsed(result, errors, params)


def form_values(questions: Sequence[Question], answers: Mapping[int, Answer]) -> dict[str, str]:
    """Form field values that redraw stored answers (the roster's edit form)."""
    out: dict[str, str] = {}
    for q in questions:
        answer = answers.get(q.id)
        if answer is None or answer.value is None:
            continue
        if q.kind == QuestionKind.CHOICES:
            for i, c in enumerate(q.choices):
                if c in answer.value:
                    out[choice_field(q, i)] = c
        elif q.kind == QuestionKind.YESNO:
            out[q.field] = "yes" if answer.value else "no"
        elif q.kind == QuestionKind.DATETIME:
            out[q.field] = str(answer.value)
        else:
            out[q.field] = str(answer.value)
    return out


# --- saving ------------------------------------------------------------------------------------------------------


async def save(
    enrollment_id: int,
    questions: Sequence[Question],
    values: Mapping[int, Any],
    *,
    actor: Actor | None = None,
    clear_missing: bool = False,
    fresh: bool = False,
) -> int:
    """Store the answers (run inside the caller's transaction, or alone). A value equal to the stored one
    changes nothing (it keeps the version and wording it answered); None removes an answer when
    `clear_missing`. `fresh`: a new enrollment (nothing stored yet, nothing to read). Returns how many answers
    changed."""
    if not any(v is not None for v in values.values()) and not clear_missing:
        return 0  # the common case of a session without questions costs no statement
    by_id = {q.id: q for q in questions}
    stored = (
        {}
        if fresh
        else {
            int(r["question"]): json.loads(r["value"])
            for r in await db.fetch(
                'SELECT "question", "value" FROM "enrollment_answer" WHERE "enrollment" = {}', enrollment_id
            )
        }
    )
    changed = 0
    now = datetime.now(UTC)
    for question_id, value in values.items():
        q = by_id[question_id]
        if value is None:
            if clear_missing and question_id in stored:
                await db.execute(
                    'DELETE FROM "enrollment_answer" WHERE "enrollment" = {} AND "question" = {}',
                    enrollment_id,
                    question_id,
                )
                changed += 1
            continue
        if question_id in stored and stored[question_id] == value:
            continue
        await db.execute(
            'INSERT INTO "enrollment_answer" ("enrollment", "question", "value", "version", "label", "answered_by", '
            '"answered_at") VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT ("enrollment", "question") DO UPDATE SET '
            '"value" = EXCLUDED."value", "version" = EXCLUDED."version", "label" = EXCLUDED."label", '
            '"answered_by" = EXCLUDED."answered_by", "answered_at" = EXCLUDED."answered_at"',
            enrollment_id,
            question_id,
            json.dumps(value, ensure_ascii=False),
            q.version,
            q.label,
            actor.user_id if actor else None,
            now,
        )
        changed += 1
    if changed and actor is not None:
        await audit.record(actor, "answers", "enrollment", enrollment_id, {"answers": [None, changed]})
    return changed


async def save_given(enrollment_id: int, given: Given | None, *, actor: Actor | None = None) -> None:
    """Store what a form gave with a new enrollment (registering.enroll); None: the form asked nothing."""
    if given is not None:
        await save(enrollment_id, given[0], given[1], actor=actor, fresh=True)


# --- reading -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    question_id: int
    value: Any
    version: int
    label: str  # the wording answered

    def outdated(self, question: Question) -> bool:
        """Answered to an earlier version of the question (pages then show the wording answered)."""
        return self.version != question.version


async def answers_of(session_id: int, enrollment_id: int | None = None) -> dict[int, dict[int, Answer]]:
    """enrollment id → question id → its answer, for a session's enrollments (or one of them)."""
    sql = (
        'SELECT a."enrollment", a."question", a."value", a."version", a."label" FROM "enrollment_answer" a '
        'JOIN "enrollment" e ON e."id" = a."enrollment" WHERE e."session" = {}'
    )
    args: list[Any] = [session_id]
    if enrollment_id is not None:
        sql += ' AND a."enrollment" = {}'
        args.append(enrollment_id)
    result: dict[int, dict[int, Answer]] = {}
    for r in await db.fetch(sql, *args):
        result.setdefault(int(r["enrollment"]), {})[int(r["question"])] = Answer(
            int(r["question"]), json.loads(r["value"]), int(r["version"]), r["label"]
        )
    return result


async def session_questions(session_id: int, visibilities: Iterable[Visibility]) -> list[Question]:
    """The questions whose answers a reader sees, archived ones last (rosters, exports, the API)."""
    return await question_defs.list_questions(session_id, archived=True, visibility=tuple(visibilities))


async def answers_by_key(session_id: int) -> dict[int, dict[str, object]]:
    """enrollment id → question key → the current answer's value, for the session's questions that have a key
    and are not archived (e.g. {"single_room": True, "roommate": "王芳"}); an unanswered question is absent."""
    rows = await db.fetch(
        'SELECT a."enrollment", q."key", a."value" FROM "enrollment_answer" a '
        'JOIN "session_question" q ON q."id" = a."question" '
        'WHERE q."session" = {} AND q."key" <> \'\' AND q."archived" = {}',
        session_id,
        False,
    )
    result: dict[int, dict[str, object]] = {}
    for r in rows:
        result.setdefault(int(r["enrollment"]), {})[r["key"]] = json.loads(r["value"])
    return result


async def answers_of_teacher(teacher_id: int) -> list[dict[str, Any]]:
    """Every answer a teacher's enrollments hold, with the wording answered (her personal-data export)."""
    rows = await db.fetch(
        'SELECT a."enrollment", a."label", a."value", a."answered_at" FROM "enrollment_answer" a '
        'JOIN "enrollment" e ON e."id" = a."enrollment" WHERE e."teacher" = {} ORDER BY a."enrollment", a."id"',
        teacher_id,
    )
    return [
        {
            "enrollment": int(r["enrollment"]),
            "question": r["label"],
            "answer": json.loads(r["value"]),
            "answered_at": r["answered_at"],
        }
        for r in rows
    ]


async def erase_answers_of_teacher(teacher_id: int) -> None:
    """A teacher's erasure removes her answers (they may name people, diets, health needs)."""
    await db.execute(
        'DELETE FROM "enrollment_answer" WHERE "enrollment" IN (SELECT "id" FROM "enrollment" WHERE "teacher" = {})',
        teacher_id,
    )


async def has_answers(question_id: int) -> bool:
    row = await db.fetch_one(
        'SELECT 1 AS x FROM "enrollment_answer" WHERE "question" = {} LIMIT 1', question_id
    )
    return row is not None


# --- showing -----------------------------------------------------------------------------------------------------


def display(kind: str, value: Any, *, translate: bool = True) -> str:
    """An answer as text: pages (translated yes/no) and exports (`translate=False`: 是/否)."""
    if value is None:
        return ""
    if kind == QuestionKind.YESNO or isinstance(value, bool):
        if translate:
            return _("Yes") if value else _("No")
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if kind == QuestionKind.DATETIME:
        return str(value).replace("T", " ")
    return str(value)


def api_value(question: Question, answer: Answer | None) -> dict[str, Any] | None:
    """One answer in the JSON API."""
    if answer is None:
        return None
    return {
        "value": answer.value,
        "version": answer.version,
        "question_version": question.version,
        "answered_label": answer.label,
    }


@dataclass(frozen=True, slots=True)
class Cell:
    """One answer as a roster or export shows it: the text, and the wording answered when the question changed
    since ("" otherwise)."""

    text: str
    answered_label: str


def cells(
    questions: Sequence[Question], answers: Mapping[int, Answer] | None, *, translate: bool = True
) -> list[Cell]:
    found = answers or {}
    out = []
    for q in questions:
        a = found.get(q.id)
        if a is None:
            out.append(Cell("", ""))
        else:
            out.append(Cell(display(q.kind, a.value, translate=translate), a.label if a.outdated(q) else ""))
    return out


def export_headers(questions: Sequence[Question]) -> list[str]:
    """Column headers of the questions in roster exports (archived ones marked)."""
    return [q.label + ("（已归档）" if q.archived else "") for q in questions]


def export_cells(questions: Sequence[Question], answers: Mapping[int, Answer] | None) -> list[str]:
    """An export row's answers: the value, then the wording answered when the question changed since."""
    return [
        c.text + (f"（回答的问题：{c.answered_label}）" if c.answered_label and c.text else "")
        for c in cells(questions, answers, translate=False)
    ]
