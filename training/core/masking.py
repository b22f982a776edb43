"""Masking personal data for screens and exports: enough for staff to recognise a person, not to harvest.
Full ID numbers and phones never reach a log; pages show these masks unless a reveal is audited. Pure."""

from __future__ import annotations


def mask_id_card(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]


def mask_email(address: str) -> str:
    """teacher12@example.org → t***@example.org (the domain stays: it says which school or provider)."""
    local, at, domain = address.partition("@")
    if not at:
        return "*" * len(address)
    return (local[:1] + "***" if local else "") + "@" + domain


def mask_name(name: str) -> str:
    """张三 → 张*, 张三梅 → 张*梅, 欧阳小明 → 欧**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
