"""Hosting's named values. StrEnum: members are their stored strings; the database refuses another value (CHECK
constraint on PostgreSQL, triggers on SQLite: the migration that adds the host role)."""

from __future__ import annotations

from enum import StrEnum


class PairingSource(StrEnum):
    """How a teacher's pairing was made: by the automatic draft, or chosen by an organiser."""

    DRAFT = "draft"
    MANUAL = "manual"


class ReportFormat(StrEnum):
    XLSX = "xlsx"
