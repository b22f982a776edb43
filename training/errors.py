"""Domain errors: services raise them, the web layer turns them into 4xx JSON or form messages."""

from __future__ import annotations

from typing import Any

from training.i18n import N_, register_messages

register_messages(
    {
        "not_found": N_("Not found."),
        "forbidden": N_("You do not have permission to do this."),
        "not_authenticated": N_("Please log in."),
        "validation_failed": N_("Please correct the highlighted fields."),
        "conflict": N_("This conflicts with existing data."),
        "rate_limited": N_("Too many attempts. Please wait a minute and try again."),
        "csrf_failed": N_("The form expired. Please reload the page and try again."),
        "required": N_("This field is required."),
        "too_long": N_("This is too long (at most {max} characters)."),
        "invalid_number": N_("Enter a whole number."),
        "invalid_date": N_("Enter a date like 2020-07-15."),
        "invalid_choice": N_("Choose one of the options."),
        "internal_error": N_(
            "Something went wrong on our side and this was not saved. Go back to what you typed with the "
            "browser's Back button and try again."
        ),
    }
)


class DomainError(Exception):
    """code: machine-readable reason; fields: field name → error code; status: the HTTP status to answer."""

    status = 400

    def __init__(
        self,
        code: str,
        fields: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields or {}
        self.params = params or {}
        if status is not None:
            self.status = status


class ValidationFailed(DomainError):
    status = 422

    def __init__(self, fields: dict[str, str], params: dict[str, Any] | None = None) -> None:
        super().__init__("validation_failed", fields=fields, params=params)


class NotFound(DomainError):
    status = 404

    def __init__(self, code: str = "not_found") -> None:
        super().__init__(code)


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403

    def __init__(self, code: str = "forbidden") -> None:
        super().__init__(code)


class RateLimited(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__("rate_limited")
