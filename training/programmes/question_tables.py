"""The questions organisers add to a session's forms (training/programmes/questions.py holds the rules).

A question belongs to one session; its `kind` says what is typed, its `visibility` who answers it: the teacher on
the registration form, the county coordinator on the nomination form, or the organisers and staff on the roster.
`version` counts the edits of its wording or choices made after someone answered; an answer keeps the version and
the wording it answered (training/enrollment/answer_tables.py). The database refuses any other kind or visibility
(CHECK constraints, triggers on SQLite: piccolo_migrations/training_2026_12_01t08_04_00_000000.py).
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.programmes.tables import TrainingSession


class QuestionKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"  # one of the choices
    CHOICES = "choices"  # any of the choices
    YESNO = "yesno"


class Visibility(StrEnum):
    """Who answers (and who sees the answer besides the organisers)."""

    TEACHER = "teacher"  # the teacher on the registration form (a coordinator nominating her, on her behalf)
    COORDINATOR = "coordinator"  # the county coordinator on the nomination form
    STAFF = "staff"  # organisers and staff on the roster; never shown to teachers or coordinators


class SessionQuestion(Table, tablename="session_question"):
    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    key = Varchar(
        length=40, default=""
    )  # stable machine name (slug) other modules read answers by; may be ""
    kind = Varchar(length=16, default=QuestionKind.TEXT, choices=QuestionKind)
    visibility = Varchar(length=16, default=Visibility.TEACHER, choices=Visibility)
    label = Varchar(length=200)
    help_text = Varchar(length=300, default="")
    choices = Text(default="[]")  # JSON list of the choice texts (choice and choices kinds)
    required = Boolean(default=False)
    position = Integer(default=0)
    version = Integer(default=1)
    archived = Boolean(default=False)  # deleted after someone answered: off the forms, answers still shown
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
