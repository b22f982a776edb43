"""Small helpers for HTML forms: read fields, keep what was typed, collect per-field error codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Request

from training import textguard


@dataclass
class FormState:
    """What the template needs to redraw a form: the values typed and the error code per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str, code: str, **params: Any) -> None:
        self.errors.setdefault(name, code)
        if params:
            self.error_params[name] = params

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.values.get(name, "").strip()
        if required and not value:
            self.error(name, "required")
        elif len(value) > max_length:
            self.error(name, "too_long", max=max_length)
        return value

    def integer(
        self, name: str, *, required: bool = False, low: int = 0, high: int = 1_000_000
    ) -> int | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            if required:
                self.error(name, "required")
            return None
        try:
            value = int(raw)
        except ValueError:
            self.error(name, "invalid_number")
            return None
        if not low <= value <= high:
            self.error(name, "invalid_number")
            return None
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            if required:
                self.error(name, "required")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.error(name, "invalid_date")
            return None

    def choice(self, name: str, choices: tuple[str, ...] | list[str], *, required: bool = True) -> str:
        value = self.values.get(name, "").strip()
        if not value and not required:
            return ""
        if value not in choices:
            self.error(name, "required" if not value else "invalid_choice")
        return value


async def read_form(request: Request[Any, Any, Any], *, redraw: bool = False) -> FormState:
    """The submitted fields. Refused characters (training.textguard) answer 422 invalid_characters; with
    redraw=True (for handlers that check `form.ok` before acting) the field is kept without them and the reason
    is shown next to it instead."""
    from training.web.inputs import InvalidCharacters, TrainingRequest

    if isinstance(request, TrainingRequest):
        form, refused = await request.form_and_problems()
    else:
        form, refused = await request.form(), {}
    values = {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}
    state = FormState(values=values)
    if refused and (not redraw or any(name not in values for name in refused)):
        raise InvalidCharacters(refused)
    for name, reason in refused.items():
        values[name] = textguard.cleaned(values[name])
        state.error(name, reason)
    return state
