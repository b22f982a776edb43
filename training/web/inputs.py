"""The one boundary check on what a request carries: every decoded JSON body, form, path and query parameter goes
through training.textguard before any handler sees it (not per field, so a new route cannot forget it).

- JSON bodies: decoded only when sent as JSON (`application/json` or `+json`); anything else is 415. Refused
  characters answer 422 `invalid_characters` with the offending fields.
- HTML forms read with training.web.forms.read_form get the refusal next to each field and are redrawn without the
  refused characters; any other reader of a form (uploads, bulk buttons) gets the same 422.
- Path and query parameters: the app's before_request hook, 422 likewise.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict

from training import textguard
from training.errors import DomainError
from training.i18n import N_, register_messages

register_messages(
    {
        "invalid_characters": N_(
            "The input contains characters that cannot be accepted (control characters, text-direction marks or "
            "only invisible characters). Remove them and try again."
        ),
        "unsupported_media_type": N_("Send this request as JSON (Content-Type: application/json)."),
    }
)


class InvalidCharacters(DomainError):
    status = 422

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid_characters", fields=fields)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class TrainingRequest(Request[Any, Any, Any]):
    """Litestar's request with the boundary check in its decoders (the app's `request_class`)."""

    async def json(self) -> Any:
        if await self.body() and not _is_json(self.content_type[0]):
            # Litestar decodes any body as JSON; text/plain is the one type a cross-site form can send without a
            # preflight, so it must not reach a JSON endpoint.
            raise DomainError("unsupported_media_type", status=415)
        data = await super().json()
        if textguard.may_carry_problems(await self.body()):
            refused = textguard.first_problems(data)
            if refused:
                raise InvalidCharacters(refused)
        return data

    async def form(self) -> FormMultiDict:
        form, refused = await self.form_and_problems()
        # Litestar's CSRF middleware reads the form (for its token) before any hook runs: it gets it as sent, and
        # everything from the before_request hook on gets the refusal.
        if refused and self.scope.get("state", {}).get(_PAST_MIDDLEWARE):
            raise InvalidCharacters(refused)
        return form

    async def form_and_problems(self) -> tuple[FormMultiDict, dict[str, str]]:
        """The form and its refused text fields (file parts are the importers' business)."""
        form = await super().form()
        refused: dict[str, str] = {}
        for key, value in form.multi_items():
            reason = textguard.problem(key) or (textguard.problem(value) if isinstance(value, str) else None)
            if reason:
                refused.setdefault(key, reason)
        return form, refused


_PAST_MIDDLEWARE = "training_inputs_checked"


async def check_parameters(request: Request[Any, Any, Any]) -> None:
    """before_request hook: path and query parameters."""
    request.scope.setdefault("state", {})[_PAST_MIDDLEWARE] = True  # type: ignore[typeddict-item]
    refused: dict[str, str] = {}
    for name, value in request.path_params.items():
        if isinstance(value, str) and (reason := textguard.problem(value)):
            refused[name] = reason
    if request.scope.get("query_string"):
        for name, value in request.query_params.multi_items():
            reason = textguard.problem(name) or textguard.problem(value)
            if reason:
                refused.setdefault(name, reason)
    if refused:
        raise InvalidCharacters(refused)
