"""Nominating from the county's teachers on file: the search a coordinator nominates from (her county only,
paginated, identity masked) and the flags shown on each candidate and nominee.

Flags warn, they never block (the organisers decide at selection):
- `earlier`: she went on an exchange in an earlier year (confirmed in, or checked in to, a session of an
  exchange-kind programme whose year is before this cohort's);
- `same_year`: she is in another exchange cohort of the same year (nominated, pending, confirmed or waiting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from training import db
from training.enrollment.states import ACTIVE, EnrollmentStatus, NomineeAnswer
from training.people.identity import name_search_key
from training.people.service import phone_search_hash
from training.programmes.sessions import Session
from training.programmes.states import ProgrammeKind

PER_PAGE = 20
QUERY_MAX = 64


@dataclass(frozen=True, slots=True)
class CohortRef:
    """Another exchange cohort a flag points at."""

    session_id: int
    year: int
    title: str


@dataclass(frozen=True, slots=True)
class Flags:
    earlier: tuple[CohortRef, ...] = ()  # exchanges she went on in earlier years
    same_year: tuple[CohortRef, ...] = ()  # other cohorts of this year she is in

    @property
    def any(self) -> bool:
        return bool(self.earlier or self.same_year)


NO_FLAGS = Flags()


def classify(rows: Iterable[Mapping[str, Any]], session_id: int, year: int) -> dict[int, Flags]:
    """Pure: the flags per teacher from her enrollments in exchange-kind sessions (rows with teacher, session,
    year, title, status, attended)."""
    earlier: dict[int, list[CohortRef]] = {}
    same_year: dict[int, list[CohortRef]] = {}
    for row in rows:
        if int(row["session"]) == session_id:
            continue
        ref = CohortRef(int(row["session"]), int(row["year"]), str(row["title"]))
        teacher = int(row["teacher"])
        went = row["status"] == EnrollmentStatus.CONFIRMED or bool(row["attended"])
        if int(row["year"]) < year and went:
            earlier.setdefault(teacher, []).append(ref)
        elif int(row["year"]) == year and row["status"] in ACTIVE:
            same_year.setdefault(teacher, []).append(ref)
    return {
        teacher: Flags(
            tuple(sorted(earlier.get(teacher, []), key=lambda r: (r.year, r.session_id))),
            tuple(sorted(same_year.get(teacher, []), key=lambda r: r.session_id)),
        )
        for teacher in set(earlier) | set(same_year)
    }


async def flags_of_teachers(session: Session, teacher_ids: Iterable[int]) -> dict[int, Flags]:
    """Flags relative to `session` for these teachers (absent: none). One query."""
    ids = sorted(set(teacher_ids))
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(
        'SELECT e."teacher", e."session", s."year", s."title", e."status", '  # noqa: S608  (literal clauses, values as parameters)
        'EXISTS (SELECT 1 FROM "check_in" k WHERE k."enrollment" = e."id") AS attended '
        'FROM "enrollment" e JOIN "training_session" s ON s."id" = e."session" '
        'JOIN "programme" p ON p."id" = s."programme" '
        f'WHERE p."kind" = {{}} AND s."year" <= {{}} AND e."teacher" IN ({marks})',
        ProgrammeKind.EXCHANGE.value,
        session.year,
        *ids,
    )
    return classify(rows, session.id, session.year)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A teacher on file as the nomination search shows her: identity masked, her enrollment in this cohort if
    she has one (then no nominate button), and her flags."""

    teacher_id: int
    name: str
    school_name: str
    subject: str
    title: str
    county_id: int
    county_name: str
    id_masked: str
    phone_masked: str
    enrollment_id: int | None
    status: str  # her enrollment's status in this cohort ('' if none)
    answer: str  # her answer to it
    flags: Flags = NO_FLAGS

    @property
    def may_nominate(self) -> bool:
        """Not in this cohort yet. One teacher has one enrollment per session, so a nomination withdrawn, declined
        or rejected stays as it is (shown with its status) and cannot be made again."""
        return self.enrollment_id is None


@dataclass(frozen=True, slots=True)
class CandidatePage:
    items: list[Candidate]
    total: int
    page: int
    pages: int
    query: str
    county_id: int | None = None
    per_page: int = PER_PAGE
    numbers: list[int] = field(default_factory=list)  # the page links to show


def _like(text: str) -> str:
    return "%" + text.replace("%", "").replace("_", "") + "%"


# the name compared without ASCII or ideographic spaces (as rosters.py does): "王 芳" finds 王芳 and back
_NAME_NO_SPACES = """REPLACE(REPLACE(t."name", ' ', ''), '\u3000', '')"""


async def candidates(
    session: Session, query: str, *, county_id: int | None, page: int = 1, per_page: int = PER_PAGE
) -> CandidatePage:
    """Teachers on file of `county_id` (a coordinator's county; None: every county eligible for the cohort) whose
    name (spaces ignored), school or subject contains `query` (empty: all), or whose mobile number is the whole
    `query`, by name, one page at a time."""
    query = " ".join(query.split())[:QUERY_MAX]
    where = [
        't."erased" = {}',
        'EXISTS (SELECT 1 FROM "county_quota" q WHERE q."session" = {} AND q."county" = t."county")',
    ]
    args: list[Any] = [False, session.id]
    if county_id is not None:
        where.append('t."county" = {}')
        args.append(county_id)
    phone_hash = phone_search_hash(query) if query else None
    if phone_hash is not None:  # a whole mobile number: matched by its keyed hash, never stored in clear
        where.append('t."phone_hash" = {}')
        args.append(phone_hash)
    elif query:
        name_key = _like(name_search_key(query))
        where.append(f"({_NAME_NO_SPACES} LIKE {{}} OR " + 't."school_name" LIKE {} OR t."subject" LIKE {})')
        args += [name_key, _like(query), _like(query)]
    clause = " AND ".join(where)
    total = int(
        (
            await db.fetch(
                f'SELECT COUNT(*) AS n FROM "teacher" t WHERE {clause}',  # noqa: S608  (literal clauses, values as parameters)
                *args,
            )
        )[0]["n"]
    )
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(1, page), pages)
    rows = await db.fetch(
        'SELECT t."id", t."name", t."school_name", t."subject", t."title", t."county", t."id_masked", t."phone_masked", '  # noqa: S608  (literal clauses, values as parameters)
        'c."name" AS county_name, e."id" AS enrollment_id, e."status", e."nominee_answer" '
        'FROM "teacher" t JOIN "county" c ON c."id" = t."county" '
        'LEFT JOIN "enrollment" e ON e."teacher" = t."id" AND e."session" = {} '
        f'WHERE {clause} ORDER BY t."name", t."id" LIMIT {{}} OFFSET {{}}',
        session.id,
        *args,
        per_page,
        (page - 1) * per_page,
    )
    flags = await flags_of_teachers(session, [int(r["id"]) for r in rows])
    items = [
        Candidate(
            teacher_id=int(r["id"]),
            name=r["name"],
            school_name=r["school_name"],
            subject=r["subject"],
            title=r["title"],
            county_id=int(r["county"]),
            county_name=r["county_name"],
            id_masked=r["id_masked"],
            phone_masked=r["phone_masked"],
            enrollment_id=None if r["enrollment_id"] is None else int(r["enrollment_id"]),
            status=r["status"] or "",
            answer=r["nominee_answer"] or "",
            flags=flags.get(int(r["id"]), NO_FLAGS),
        )
        for r in rows
    ]
    return CandidatePage(items, total, page, pages, query, county_id, per_page, _page_numbers(page, pages))


def _page_numbers(page: int, pages: int) -> list[int]:
    """First, last and the two either side of the current page (0: a gap)."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(0)
        out.append(n)
    return out


@dataclass(frozen=True, slots=True)
class NomineeInfo:
    """What the coordinator's list and the organiser's selection show beside a nominee."""

    answer: str
    answered_at: datetime | None
    flags: Flags

    @property
    def declined(self) -> bool:
        return self.answer == NomineeAnswer.DECLINED

    @property
    def accepted(self) -> bool:
        return self.answer == NomineeAnswer.ACCEPTED


async def nominee_info(session: Session, enrollment_ids: Iterable[int]) -> dict[int, NomineeInfo]:
    """Answer and flags of these enrollments of `session` (nominations and any other)."""
    ids = sorted(set(enrollment_ids))
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(
        'SELECT e."id", e."teacher", e."nominee_answer", e."nominee_answered_at" FROM "enrollment" e '  # noqa: S608  (literal clauses, values as parameters)
        f'WHERE e."session" = {{}} AND e."id" IN ({marks})',
        session.id,
        *ids,
    )
    flags = await flags_of_teachers(session, [int(r["teacher"]) for r in rows])
    return {
        int(r["id"]): NomineeInfo(
            r["nominee_answer"] or "", r["nominee_answered_at"], flags.get(int(r["teacher"]), NO_FLAGS)
        )
        for r in rows
    }


async def names_of(session: Session, enrollment_ids: list[int]) -> dict[int, str]:
    """The printed names of these enrollments of `session`."""
    if not enrollment_ids:
        return {}
    marks = ", ".join("{}" for _ in enrollment_ids)
    rows = await db.fetch(
        f'SELECT e."id", e."teacher_name" FROM "enrollment" e WHERE e."session" = {{}} AND e."id" IN ({marks})',  # noqa: S608  (placeholders only)
        session.id,
        *enrollment_ids,
    )
    return {int(r["id"]): r["teacher_name"] for r in rows}
