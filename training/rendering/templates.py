"""The Jinja2 environment: autoescaping, gettext (per-request language), filters for masking and dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from training import i18n
from training.core.clock import LOCAL_TZ
from training.core.masking import mask_name, mask_phone
from training.paths import TEMPLATES_DIR
from training.rendering.labels import choices, label


def local_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def local_time(value: datetime | None) -> str:
    return local_datetime(value, "%H:%M")


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def date_range(starts_on: date | None, ends_on: date | None) -> str:
    """A session's dates: "2026-11-29 – 2026-12-01", or the one date when it lasts a day."""
    if starts_on is None or ends_on is None or starts_on == ends_on:
        return iso_date(starts_on or ends_on)
    return f"{iso_date(starts_on)} – {iso_date(ends_on)}"


def colon(text: str) -> str:
    """A label's colon in the page's language: full-width "：" in Chinese, ": " in English."""
    return text + ("：" if i18n.current_language().startswith("zh") else ": ")


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        local_datetime=local_datetime,
        local_time=local_time,
        iso_date=iso_date,
        date_range=date_range,
        colon=colon,
        mask_name=mask_name,
        mask_phone=mask_phone,
    )
    env.globals.update(
        languages=i18n.LANGUAGES,
        current_language=i18n.current_language,
        error_text=lambda code, **params: i18n.message_for(code, **params) if code else "",
        label=label,
        label_choices=choices,
    )
    return env


def render_standalone(template: str, context: dict[str, Any]) -> str:
    """Render outside a request (emails, printed reports)."""
    return _standalone_env().get_template(template).render(**context)


_ENV: Environment | None = None


def _standalone_env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = build_environment()
    return _ENV
