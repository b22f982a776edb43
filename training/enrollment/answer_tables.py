"""Answers to a session's questions, one current answer per enrollment and question
(training/enrollment/answers.py). The row keeps the question's version and wording it answered, so a later edit
of the question never changes what an answer meant."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.tables import Enrollment
from training.programmes.question_tables import SessionQuestion


class EnrollmentAnswer(Table, tablename="enrollment_answer"):
    id: Serial
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, index=True)
    question = ForeignKey(SessionQuestion, on_delete=OnDelete.restrict, index=True)
    value = Text(
        default="null"
    )  # JSON: text, number, ISO date/datetime, choice text, list of texts, true/false
    version = Integer(default=1)  # the question's version answered
    label = Varchar(length=200, default="")  # the question's wording answered
    answered_by = Integer(null=True, default=None)  # staff user id; None: the teacher herself
    answered_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (enrollment, question): a unique index created in piccolo_migrations
