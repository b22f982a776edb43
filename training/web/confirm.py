"""A confirmation step for destructive or mass actions, drawn by the server (no script: the CSP stays strict).

The first POST of such an action (without `confirm=1`) answers with this page: what will happen, to how many
people, and a form that repeats the POST with `confirm=1`. Only that second POST acts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.response import Template


@dataclass
class Confirmation:
    heading: str  # translated
    action: str  # the URL the confirmed form posts to
    button: str  # translated label of the confirming button
    back: str  # where "keep as it is" leads
    facts: list[str] = field(default_factory=list)  # translated sentences: what will happen, to whom
    warnings: list[str] = field(default_factory=list)  # translated sentences shown as a warning
    hidden: dict[str, str | list[str]] = field(
        default_factory=dict
    )  # the original form's values, posted again
    people: int | None = None  # how many people the action touches (shown large)
    people_label: str = ""
    danger: bool = True
    undo: str = ""  # translated: how to undo, or that it cannot be undone
    can_proceed: bool = True  # False: nothing to do (the page says why, no confirming button)


def is_confirmed(values: dict[str, str]) -> bool:
    return values.get("confirm") == "1"


def confirmation_page(confirmation: Confirmation, status_code: int = 200) -> Template:
    return Template(template_name="confirm.html", context={"c": confirmation}, status_code=status_code)
