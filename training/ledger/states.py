"""The ledger's kinds, as `StrEnum`s (a member is the string in URLs and the audit log)."""

from __future__ import annotations

from enum import StrEnum


class LedgerFormat(StrEnum):
    """A ledger download's file format."""

    CSV = "csv"
    XLSX = "xlsx"
