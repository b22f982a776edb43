"""Scheduling problems as errors: the messages of every rule code, and `Invalid`, which carries them to pages
and the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from training.errors import ValidationFailed
from training.i18n import N_, register_messages
from training.programmes.rules import Problem

register_messages(
    {
        "ends_before_start": N_("The last day is before the first day."),
        "session_too_long": N_("A session can last at most {days} days."),
        "date_out_of_range": N_("Enter a date between the years {first} and {last}."),
        "capacity_below_taken": N_(
            "{taken} enrollments already hold a seat; the capacity cannot be lower than that."
        ),
        "capacity_below_quotas": N_("The county quotas add up to {total}; the capacity cannot be lower."),
        "registration_closes_after_start": N_("Registration must close before the session starts ({start})."),
        "registration_closes_before_opens": N_("Registration must close after it opens."),
        "registration_opens_after_start": N_("Registration must open before the session starts."),
        "nomination_deadline_after_start": N_("The nomination deadline must be before the session starts."),
        "completion_one_kind": N_("Give the completion threshold either in hours or in percent, not both."),
        "completion_hours_range": N_("The hours must be more than 0 and at most 1000."),
        "completion_percent_range": N_("The percentage must be more than 0 and at most 100."),
        "blocks_outside_new_dates": N_(
            "{count} timetable blocks (the first on {day}) would fall outside these dates. Move or delete them first."
        ),
        "session_closed": N_("This session is closed and can no longer be changed."),
        "invalid_transition": N_("This status change is not possible."),
        "publish_needs_capacity": N_("Set a capacity before publishing."),
        "publish_needs_counties": N_("Choose at least one eligible county before publishing."),
        "publish_needs_timetable": N_("Add the timetable before publishing."),
        "publish_needs_threshold": N_("Set the completion threshold before publishing."),
        "quota_county_has_enrollments": N_(
            "{taken} teachers of this county already hold a seat; the county cannot be removed."
        ),
        "quota_below_taken": N_(
            "{taken} teachers of this county already hold a seat; the quota cannot be lower."
        ),
        "quotas_exceed_capacity": N_("The quotas add up to {total}, more than the capacity of {capacity}."),
        "release_after_start": N_("Unused seats must be released before the session starts."),
        "block_outside_session": N_("The day must be within the session dates ({start} to {end})."),
        "block_ends_before_start": N_("The block must end after it starts."),
        "block_hours_range": N_("The hours must be more than 0 and at most 12."),
        "block_overlaps": N_("This overlaps another block on the same day ({other})."),
        "block_has_checkins": N_("Teachers have already checked in to this block; it cannot be deleted."),
        "copy_overlaps": N_("The copied timetable overlaps blocks already in this session."),
        "copy_source_empty": N_("That session has no timetable to copy."),
        "session_has_enrollments": N_("Teachers have already enrolled; the session cannot be deleted."),
        "programme_has_sessions": N_("This programme has sessions; it cannot be deleted."),
        "slug_taken": N_("This short name is already used by another programme."),
        "invalid_slug": N_("Use 2–32 lower-case letters, digits or hyphens."),
        "unknown_programme": N_("Choose an existing programme."),
        "quota_county_unknown": N_("Unknown county."),
        "empty_day": N_("Choose at least one part of the day."),
        "invalid_datetime": N_("Enter a date and time like 2020-06-30 18:00."),
        "invalid_time": N_("Enter a time like 08:30."),
        "invalid_decimal": N_("Enter a number, e.g. 18 or 2.5."),
    }
)


class Invalid(ValidationFailed):
    """A ValidationFailed built from rule problems; keeps each field's own parameters for the page."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        fields: dict[str, str] = {}
        field_params: dict[str, dict[str, Any]] = {}
        for problem in problems:
            if problem.field not in fields:
                fields[problem.field] = problem.code
                field_params[problem.field] = dict(problem.params)
        merged: dict[str, Any] = {}
        for params in field_params.values():
            merged.update(params)
        super().__init__(fields, params={**merged, "by_field": {k: v for k, v in field_params.items() if v}})
        self.field_params = field_params


def check(problems: Sequence[Problem]) -> None:
    if problems:
        raise Invalid(problems)
