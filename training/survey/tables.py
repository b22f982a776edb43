"""The survey's tables.

Anonymity: an anonymous survey's `survey_response` row holds no enrollment, no teacher, no time and a random id
(not the next number), so nothing orders or links it to the `survey_responded` marker that keeps "one response
per enrollment" (docs/survey.md, Anonymity).
"""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.tables import Enrollment
from training.people.tables import County
from training.programmes.tables import Block, TrainingSession
from training.survey.states import QuestionKind, SurveyStatus


class Survey(Table, tablename="survey"):
    """One questionnaire per session."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, unique=True, index=True)
    title = Varchar(length=128)
    intro = Text(default="")
    anonymous = Boolean(default=True)
    opens_after_block = ForeignKey(
        Block, on_delete=OnDelete.set_null, null=True, default=None
    )  # None: the last
    required_for_certificate = Boolean(default=False)
    status = Varchar(length=16, default=SurveyStatus.DRAFT, choices=SurveyStatus)
    announced_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SurveyQuestion(Table, tablename="survey_question"):
    id: Serial
    survey = ForeignKey(Survey, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)
    kind = Varchar(length=16, default=QuestionKind.RATING, choices=QuestionKind)
    prompt = Varchar(length=300)
    required = Boolean(default=True)
    options = Text(default="[]")  # JSON list of the choices' texts (single and multiple choice)


class SurveyResponse(Table, tablename="survey_response"):
    """One teacher's answers. Named surveys: the enrollment and the time; anonymous ones: neither (random id)."""

    id: Serial
    survey = ForeignKey(Survey, on_delete=OnDelete.cascade, index=True)
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, null=True, default=None, unique=True)
    county = ForeignKey(County, on_delete=OnDelete.set_null, null=True, default=None)
    answers = Text(default="{}")  # JSON: question id → 1..5 | option index | [option indexes] | text
    submitted_at = Timestamptz(null=True, default=None)


class SurveyResponded(Table, tablename="survey_responded"):
    """ "This enrollment has answered": one row per enrollment (one survey per session), no link to the answers."""

    id: Serial
    survey = ForeignKey(Survey, on_delete=OnDelete.cascade, index=True)
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, unique=True)
