"""The survey's named values. StrEnum: members are their strings, as stored."""

from __future__ import annotations

from enum import StrEnum


class QuestionKind(StrEnum):
    RATING = "rating"  # 1 (very dissatisfied) … 5 (very satisfied)
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    TEXT = "text"  # free text


class SurveyStatus(StrEnum):
    """draft (questions editable) → published (answerable from its opening; announced then) → closed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
RATING_SCALE = (1, 2, 3, 4, 5)
