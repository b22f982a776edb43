"""Keeping addresses out of logs and pages: partial masks for people, scrubbing for server replies.

Pure: no I/O, nothing imported from the project.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import parseaddr

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def addr_spec(to: str) -> str:
    """The bare address of a recipient written either as `a@b` or as `Name <a@b>`."""
    return parseaddr(to)[1] or to.strip()


def format_recipient(addr: str, display_name: str = "") -> str:
    """`显示名 <a@b>` with the quoting RFC 5322 needs (the header is RFC 2047-encoded when the mail is built)."""
    if not display_name:
        return addr
    local, _, domain = addr.rpartition("@")
    return str(Address(display_name=display_name, username=local, domain=domain))


def mask_email(to: str) -> str:
    """`zhang.san@example.org` → `zh***@example.org`: enough for an organiser to recognise, not to harvest."""
    address = addr_spec(to)
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    keep = 1 if len(local) <= 3 else 2
    return f"{local[:keep]}***@{domain}"


def scrub(text: str, limit: int = 300) -> str:
    """A server reply or exception text with every address masked, on one line, at most `limit` characters."""
    cleaned = _EMAIL.sub(lambda match: mask_email(match.group(0)), text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
