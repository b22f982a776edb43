"""Accounts' named values: a staff account's role (defined with the acting user, training/core/actor.py) and a
personal API token's scopes.

StrEnum: members are their strings (stored rows, `Actor.role` comparisons and JSON keep working); the database
refuses another role (CHECK constraint, piccolo_migrations/*2026_12_01t04_40_00*).
"""

from __future__ import annotations

from enum import StrEnum

from training.core.actor import Role

__all__ = ["Role", "Scope"]


class Scope(StrEnum):
    """What a personal API token may do on /api/ (the holder's role still decides which routes answer)."""

    READ = "read"
    WRITE = "write"
    CHECKIN = "checkin"
