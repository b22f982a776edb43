"""The questions organisers add to a session's forms: define, edit, order, delete (archive), copy.

Rules (docs/questions.md):
- `visibility` says who answers: the teacher (registration form; a coordinator nominating her answers for her),
  the coordinator (nomination form) or staff only (organisers on the roster).
- Editing the wording, help text or choices of a question that has answers makes a new version (`version` + 1);
  each answer keeps the version and wording it answered, and pages show that wording next to an old answer.
  A question without answers is edited in place. The kind of an answered question cannot change.
- Deleting a question without answers deletes it; one with answers is archived: off every form, its answers still
  on the roster, in exports and the API.
- `key` (optional, a slug like `single_room`) is unique among a session's questions that are not archived; other
  packages read answers by it (training/enrollment/answers.py: answers_by_key).

Whether a question has answers is asked through a check the enrollment package provides and training/wiring.py
registers (`register_answer_check`), since programmes does not import enrollment; without one, every question counts as
answered (edits make versions, deletes archive): the safe side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import NotFound, ValidationFailed
from training.i18n import N_, register_messages
from training.programmes.question_tables import QuestionKind, SessionQuestion, Visibility
from training.programmes.session_setup import lock_session, require_editable
from training.rendering.labels import LABELS

KINDS = tuple(QuestionKind)
VISIBILITIES = tuple(Visibility)
CHOICE_KINDS = (QuestionKind.CHOICE, QuestionKind.CHOICES)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX, HELP_MAX, CHOICE_MAX, CHOICES_MAX = 200, 300, 100, 30

register_messages(
    {
        "question_key_invalid": N_(
            "Use lower-case letters, digits and _ (starting with a letter, at most 40), e.g. single_room."
        ),
        "question_key_taken": N_("Another question of this session already has this key."),
        "question_choices_needed": N_("Give at least two choices, one per line."),
        "question_choices_repeated": N_("Each choice may appear only once."),
        "question_choices_too_many": N_("At most {max} choices, each at most {length} characters."),
        "question_kind_locked": N_("People have answered this question: its kind can no longer change."),
    }
)

LABELS["question_kind"] = {
    QuestionKind.TEXT: N_("Text"),
    QuestionKind.NUMBER: N_("Number"),
    QuestionKind.DATE: N_("Date"),
    QuestionKind.DATETIME: N_("Date and time"),
    QuestionKind.CHOICE: N_("Single choice"),
    QuestionKind.CHOICES: N_("Multiple choice"),
    QuestionKind.YESNO: N_("Yes / no"),
}
LABELS["question_visibility"] = {
    Visibility.TEACHER: N_("Teachers answer (registration form)"),
    Visibility.COORDINATOR: N_("Coordinators answer (nomination form)"),
    Visibility.STAFF: N_("Staff only (filled in on the roster)"),
}


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    session_id: int
    key: str
    kind: QuestionKind
    visibility: Visibility
    label: str
    help_text: str
    choices: tuple[str, ...]
    required: bool
    position: int
    version: int
    archived: bool

    @property
    def field(self) -> str:
        """The form field's name."""
        return f"q_{self.id}"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Question:
        return cls(
            id=int(row["id"]),
            session_id=int(row["session"]),
            key=row["key"],
            kind=QuestionKind(row["kind"]),
            visibility=Visibility(row["visibility"]),
            label=row["label"],
            help_text=row["help_text"],
            choices=tuple(json.loads(row["choices"] or "[]")),
            required=bool(row["required"]),
            position=int(row["position"]),
            version=int(row["version"]),
            archived=bool(row["archived"]),
        )


@dataclass
class QuestionDraft:
    label: str
    kind: str = QuestionKind.TEXT
    visibility: str = Visibility.TEACHER
    key: str = ""
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    required: bool = False


def draft_from_form(values: Mapping[str, str]) -> QuestionDraft:
    """A draft from the organiser's form (choices one per line; blank lines dropped)."""
    choices = [line.strip() for line in values.get("choices", "").splitlines() if line.strip()]
    return QuestionDraft(
        label=values.get("label", "").strip(),
        kind=values.get("kind", QuestionKind.TEXT).strip(),
        visibility=values.get("visibility", Visibility.TEACHER).strip(),
        key=values.get("key", "").strip(),
        help_text=values.get("help_text", "").strip(),
        choices=choices,
        required=values.get("required", "") in ("1", "on", "true", "yes"),
    )


def check_draft(draft: QuestionDraft) -> dict[str, str]:
    """Field → problem code (pure); empty when the draft is fine."""
    errors: dict[str, str] = {}
    if not draft.label:
        errors["label"] = "required"
    elif len(draft.label) > LABEL_MAX:
        errors["label"] = "too_long"
    if len(draft.help_text) > HELP_MAX:
        errors["help_text"] = "too_long"
    if draft.kind not in KINDS:
        errors["kind"] = "invalid_choice"
    if draft.visibility not in VISIBILITIES:
        errors["visibility"] = "invalid_choice"
    if draft.key and not KEY_PATTERN.match(draft.key):
        errors["key"] = "question_key_invalid"
    if draft.kind in CHOICE_KINDS:
        if len(draft.choices) < 2:
            errors["choices"] = "question_choices_needed"
        elif len(set(draft.choices)) != len(draft.choices):
            errors["choices"] = "question_choices_repeated"
        elif len(draft.choices) > CHOICES_MAX or any(len(c) > CHOICE_MAX for c in draft.choices):
            errors["choices"] = "question_choices_too_many"
    return errors


def _params(errors: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if errors.get("label") == "too_long":
        params["label"] = {"max": LABEL_MAX}
    if errors.get("help_text") == "too_long":
        params["help_text"] = {"max": HELP_MAX}
    if errors.get("choices") == "question_choices_too_many":
        params["choices"] = {"max": CHOICES_MAX, "length": CHOICE_MAX}
    return params


def _columns(draft: QuestionDraft) -> dict[str, Any]:
    kind = QuestionKind(draft.kind)
    return {
        "key": draft.key,
        "kind": kind,
        "visibility": Visibility(draft.visibility),
        "label": draft.label,
        "help_text": draft.help_text,
        "choices": json.dumps(draft.choices if kind in CHOICE_KINDS else [], ensure_ascii=False),
        "required": draft.required,
    }


# --- whether a question has answers (registered by the enrollment package) -----------------------------------

AnswerCheck = Callable[[int], Awaitable[bool]]
_answer_check: list[AnswerCheck] = []


def register_answer_check(check: AnswerCheck) -> None:
    """How to tell whether a question has answers (training/wiring.py installs enrollment.answers.has_answers)."""
    _answer_check[:] = [check]


async def has_answers(question_id: int) -> bool:
    return await _answer_check[0](question_id) if _answer_check else True


# --- reading ---------------------------------------------------------------------------------------------------


async def list_questions(
    session_id: int, *, archived: bool = False, visibility: tuple[str, ...] | None = None
) -> list[Question]:
    """A session's questions in form order; `archived`: the archived ones too (after the others);
    `visibility`: only these."""
    query = SessionQuestion.select().where(SessionQuestion.session == session_id)
    if not archived:
        query = query.where(SessionQuestion.archived.eq(False))
    rows = (
        await query.order_by(SessionQuestion.archived)
        .order_by(SessionQuestion.position)
        .order_by(SessionQuestion.id)
    )
    found = [Question.from_row(r) for r in rows]
    return [q for q in found if visibility is None or q.visibility in visibility]


async def get_question(question_id: int) -> Question:
    row = await SessionQuestion.select().where(SessionQuestion.id == question_id).first()
    if row is None:
        raise NotFound()
    return Question.from_row(row)


async def _check_key(session_id: int, key: str, question_id: int | None) -> None:
    if not key:
        return
    rows = await db.fetch(
        'SELECT "id" FROM "session_question" WHERE "session" = {} AND "key" = {} AND "archived" = {}',
        session_id,
        key,
        False,
    )
    if any(int(r["id"]) != question_id for r in rows):
        raise ValidationFailed({"key": "question_key_taken"})


# --- writing ---------------------------------------------------------------------------------------------------


def _validate(draft: QuestionDraft) -> None:
    errors = check_draft(draft)
    if errors:
        exc = ValidationFailed(errors)
        setattr(exc, "field_params", _params(errors))  # noqa: B010  (read by programmes.webforms.show_error)
        raise exc


async def create_question(actor: Actor | None, session_id: int, draft: QuestionDraft) -> int:
    _validate(draft)
    async with db.transaction():
        require_editable(await lock_session(session_id))
        await _check_key(session_id, draft.key, None)
        last = await db.fetch_one(
            'SELECT MAX("position") AS p FROM "session_question" WHERE "session" = {}', session_id
        )
        position = int(last["p"]) + 1 if last and last["p"] is not None else 1
        values = _columns(draft)
        rows = await SessionQuestion.insert(
            SessionQuestion(session=session_id, position=position, version=1, **values)
        )
        question_id = int(rows[0]["id"])
        await audit.record_change(
            actor, "session_question", question_id, None, {"session": session_id, **values}
        )
    return question_id


_WORDING = ("label", "help_text", "choices")


async def update_question(actor: Actor | None, question_id: int, draft: QuestionDraft) -> bool:
    """Save an edit; True when it made a new version (the wording or choices changed and people had answered)."""
    _validate(draft)
    async with db.transaction():
        before = await get_question(question_id)
        require_editable(await lock_session(before.session_id))
        await _check_key(before.session_id, draft.key, question_id)
        values = _columns(draft)
        old = _columns_of(before)
        answered = await has_answers(question_id)
        if answered and values["kind"] != before.kind:
            raise ValidationFailed({"kind": "question_kind_locked"})
        new_version = answered and any(values[k] != old[k] for k in _WORDING)
        version = before.version + 1 if new_version else before.version
        await SessionQuestion.update(
            {
                **{getattr(SessionQuestion, k): v for k, v in values.items()},
                SessionQuestion.version: version,
                SessionQuestion.updated_at: datetime.now(UTC),
            }
        ).where(SessionQuestion.id == question_id)
        await audit.record_change(
            actor,
            "session_question",
            question_id,
            {**old, "version": before.version},
            {**values, "version": version},
        )
    return new_version


def _columns_of(q: Question) -> dict[str, Any]:
    return _columns(
        QuestionDraft(
            label=q.label,
            kind=q.kind,
            visibility=q.visibility,
            key=q.key,
            help_text=q.help_text,
            choices=list(q.choices),
            required=q.required,
        )
    )


async def delete_question(actor: Actor | None, question_id: int) -> str:
    """ "deleted", or "archived" when people have answered it (their answers stay readable)."""
    async with db.transaction():
        before = await get_question(question_id)
        require_editable(await lock_session(before.session_id))
        if await has_answers(question_id):
            await SessionQuestion.update(
                {SessionQuestion.archived: True, SessionQuestion.updated_at: datetime.now(UTC)}
            ).where(SessionQuestion.id == question_id)
            await audit.record(actor, "archive", "session_question", question_id, {"archived": [False, True]})
            return "archived"
        await SessionQuestion.delete().where(SessionQuestion.id == question_id)
        await audit.record_change(actor, "session_question", question_id, _columns_of(before), None)
        return "deleted"


async def move_question(actor: Actor | None, question_id: int, step: int) -> None:
    """Move a question one place up (step -1) or down (+1) among the session's questions on the forms."""
    async with db.transaction():
        question = await get_question(question_id)
        require_editable(await lock_session(question.session_id))
        ordered = await list_questions(question.session_id)
        ids = [q.id for q in ordered]
        if question_id not in ids:
            return
        i = ids.index(question_id)
        j = i + (1 if step > 0 else -1)
        if not 0 <= j < len(ids):
            return
        ids[i], ids[j] = ids[j], ids[i]
        for position, qid in enumerate(ids, start=1):
            await SessionQuestion.update({SessionQuestion.position: position}).where(
                SessionQuestion.id == qid
            )
        await audit.record(actor, "move", "session_question", question_id, {"position": [i + 1, j + 1]})


async def copy_questions(from_session_id: int, to_session_id: int) -> int:
    """Copy a session's questions (not the archived ones) to another, as first versions; inside the caller's
    transaction (training/programmes/copying.py)."""
    rows = [
        SessionQuestion(
            session=to_session_id,
            position=q.position,
            version=1,
            **_columns_of(q),
        )
        for q in await list_questions(from_session_id)
    ]
    if rows:
        await SessionQuestion.insert(*rows)
    return len(rows)
