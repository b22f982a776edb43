"""The survey's rules, pure (no I/O): when it opens, which answers a submission holds, the results per question
and the per-county breakdown with small counties suppressed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from training.survey.states import CHOICE_KINDS, RATING_SCALE, QuestionKind

MAX_OPTIONS = 12
MAX_OPTION_LENGTH = 100
MAX_TEXT_ANSWER = 2000
MIN_COUNTY_RESPONSES = 5  # an anonymous survey shows a county's figures only from this many responses on


@dataclass(frozen=True)
class Question:
    id: int
    kind: QuestionKind
    prompt: str
    required: bool
    options: tuple[str, ...] = ()

    @property
    def field(self) -> str:
        return f"q{self.id}"


def question_of(row: Mapping[str, Any]) -> Question:
    return Question(
        id=int(row["id"]),
        kind=QuestionKind(row["kind"]),
        prompt=row["prompt"],
        required=bool(row["required"]),
        options=tuple(json.loads(row["options"] or "[]")),
    )


def parse_options(text: str) -> tuple[list[str], str | None]:
    """The choices typed one per line → (options, error code or None)."""
    options: list[str] = []
    for line in text.splitlines():
        option = line.strip()
        if option and option not in options:
            options.append(option)
    if len(options) < 2:
        return options, "survey_options_too_few"
    if len(options) > MAX_OPTIONS:
        return options, "survey_options_too_many"
    if any(len(o) > MAX_OPTION_LENGTH for o in options):
        return options, "survey_option_too_long"
    return options, None


def opens_at(
    blocks: Iterable[tuple[int, date, time, bool]], chosen_block: int | None, ends_on: date, zone: tzinfo
) -> datetime:
    """When answers are accepted: the end of the chosen block (block id, day, ends_at, cancelled), else the end of
    the session's last non-cancelled block; without any block, the midnight after the session's last day."""
    ends = {
        block_id: datetime.combine(day, end, tzinfo=zone) for block_id, day, end, off in blocks if not off
    }
    if chosen_block is not None and chosen_block in ends:
        return ends[chosen_block]
    if ends:
        return max(ends.values())
    return datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=zone)


def _one_answer(q: Question, values: list[str]) -> tuple[Any, str | None]:
    """A question's posted values (non-empty) → (the stored answer, or an error code)."""
    if q.kind is QuestionKind.TEXT:
        text = "\n".join(values)
        return (None, "survey_answer_too_long") if len(text) > MAX_TEXT_ANSWER else (text, None)
    if not all(v.isdigit() for v in values):
        return None, "invalid_choice"
    numbers = sorted({int(v) for v in values})
    if q.kind is QuestionKind.RATING:
        ok = len(numbers) == 1 and numbers[0] in RATING_SCALE
    elif q.kind is QuestionKind.SINGLE:
        ok = len(numbers) == 1 and numbers[0] < len(q.options)
    else:
        ok = all(n < len(q.options) for n in numbers)
    if not ok:
        return None, "invalid_choice"
    return (numbers if q.kind is QuestionKind.MULTIPLE else numbers[0]), None


def read_answers(
    questions: Sequence[Question], submitted: Mapping[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A submission (field name → the values posted) → (answers by question id, error code by field name).

    rating: 1..5; single: the option's index; multiple: a sorted list of indexes; text: the stripped text. An
    unanswered optional question is left out."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in questions:
        values = [v.strip() for v in submitted.get(q.field, []) if v.strip()]
        if not values:
            if q.required:
                errors[q.field] = "survey_answer_required"
            continue
        value, problem = _one_answer(q, values)
        if problem:
            errors[q.field] = problem
        else:
            answers[str(q.id)] = value
    return answers, errors


def answer_text(q: Question, value: Any) -> str:
    """One answer as a person reads it (the export, the free-text list)."""
    if value is None or value == "" or value == []:
        return ""
    if q.kind is QuestionKind.RATING:
        return str(value)
    if q.kind is QuestionKind.SINGLE:
        return q.options[value] if 0 <= value < len(q.options) else ""
    if q.kind is QuestionKind.MULTIPLE:
        return "；".join(q.options[i] for i in value if 0 <= i < len(q.options))
    return str(value)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: list[int] = field(default_factory=list)  # rating: per score 1..5; choices: per option
    texts: list[str] = field(default_factory=list)
    total: float = 0.0

    @property
    def mean(self) -> float | None:
        return (
            round(self.total / self.answered, 2) if self.answered and self.question.kind == "rating" else None
        )

    @property
    def labels(self) -> list[str]:
        if self.question.kind is QuestionKind.RATING:
            return [str(score) for score in RATING_SCALE]
        return list(self.question.options)


def tally(questions: Sequence[Question], responses: Iterable[Mapping[str, Any]]) -> list[QuestionResult]:
    """Per question: how many answered, counts per score or option, the texts (in stored order)."""
    results = {
        q.id: QuestionResult(
            q,
            counts=[0] * (len(RATING_SCALE) if q.kind is QuestionKind.RATING else len(q.options)),
        )
        for q in questions
    }
    for answers in responses:
        for q in questions:
            value = answers.get(str(q.id))
            if value is None or value == "" or value == []:
                continue
            r = results[q.id]
            if q.kind is QuestionKind.TEXT:
                r.texts.append(str(value))
                r.answered += 1
            elif q.kind is QuestionKind.RATING and value in RATING_SCALE:
                r.counts[value - 1] += 1
                r.total += value
                r.answered += 1
            elif q.kind in CHOICE_KINDS:
                picked = value if isinstance(value, list) else [value]
                valid = [i for i in picked if isinstance(i, int) and 0 <= i < len(q.options)]
                for i in valid:
                    r.counts[i] += 1
                r.answered += 1 if valid else 0
    return [results[q.id] for q in questions]


@dataclass
class CountyRow:
    county: str  # the county's name; "" for the suppressed counties taken together
    responses: int
    means: list[float | None]  # per rating question
    invited: int | None = None  # named surveys: confirmed teachers of the county
    merged: int = 0  # how many counties the "other counties" row takes together


def county_rows(
    ratings: Sequence[Question],
    responses: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    anonymous: bool,
    invited: Mapping[str, int] | None = None,
    threshold: int = MIN_COUNTY_RESPONSES,
) -> list[CountyRow]:
    """Responses (county name, answers) → one row per county with the mean of each rating question.

    Anonymous surveys: a county with fewer than `threshold` responses is not shown on its own; such counties are
    taken together in one row, and while that row would hold fewer than `threshold` responses the smallest shown
    county joins it (otherwise the total minus the shown counties would give the small county's figures). When
    even then it stays below `threshold`, nothing per county is shown at all."""
    by_county: dict[str, list[Mapping[str, Any]]] = {}
    for county, answers in responses:
        by_county.setdefault(county or "", []).append(answers)

    def row(name: str, group: list[Mapping[str, Any]], merged: int = 0) -> CountyRow:
        means: list[float | None] = []
        for q in ratings:
            scores = [a[str(q.id)] for a in group if a.get(str(q.id)) in RATING_SCALE]
            means.append(round(sum(scores) / len(scores), 2) if scores else None)
        return CountyRow(name, len(group), means, (invited or {}).get(name) if not merged else None, merged)

    names = sorted(by_county, key=lambda n: (-len(by_county[n]), n))
    if not anonymous:
        return [row(n, by_county[n]) for n in names]
    shown = [n for n in names if len(by_county[n]) >= threshold]
    hidden = [n for n in names if len(by_county[n]) < threshold]
    while hidden and sum(len(by_county[n]) for n in hidden) < threshold and shown:
        hidden.append(shown.pop())  # the smallest shown county (names are sorted largest first)
    hidden_total = sum(len(by_county[n]) for n in hidden)
    if hidden and hidden_total < threshold:
        return []
    rows = [row(n, by_county[n]) for n in shown]
    if hidden:
        rows.append(row("", [a for n in hidden for a in by_county[n]], merged=len(hidden)))
    return rows
