"""The survey's error codes and their texts (English msgids; survey.po has the Chinese)."""

from training.i18n import N_, register_messages

register_messages(
    {
        "survey_options_too_few": N_("Give at least two choices, one per line."),
        "survey_options_too_many": N_("At most 12 choices."),
        "survey_option_too_long": N_("A choice is too long (at most 100 characters)."),
        "survey_prompt_too_long": N_("The question is too long (at most 300 characters)."),
        "survey_too_many_questions": N_("A survey holds at most 40 questions."),
        "survey_no_questions": N_("Add at least one question before publishing."),
        "survey_not_draft": N_("The survey is published: its questions can no longer change."),
        "survey_not_published": N_("Only a published survey can be closed."),
        "survey_not_empty": N_("This survey already has questions: copying works into an empty survey only."),
        "survey_anonymity_fixed": N_(
            "Answers were given under this promise: anonymity can no longer change."
        ),
        "survey_answer_required": N_("Please answer this question."),
        "survey_answer_too_long": N_("At most 2000 characters."),
        "survey_already_answered": N_("You have already answered this survey. Thank you!"),
        "survey_not_open": N_("The survey is not open yet."),
        "survey_closed": N_("The survey is closed."),
        "survey_not_invited": N_("There is no survey for you here."),
        "survey_not_saved": N_("Your answers could not be saved. Please try again."),
    }
)

MESSAGES_LOADED = True
