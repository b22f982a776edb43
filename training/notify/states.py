"""Notices' named values: a change notice's state, the reminder slots, and who a broadcast reaches.

StrEnum: members are their strings; the database refuses other values for the stored ones (CHECK constraints,
piccolo_migrations/*2026_12_01t04_40_00*).
"""

from __future__ import annotations

from enum import StrEnum


class NoticeStatus(StrEnum):
    """A change notice: draft (edits of one block fold into it) → sent, or dismissed by the organiser."""

    DRAFT = "draft"
    SENT = "sent"
    DISMISSED = "dismissed"


class ReminderSlot(StrEnum):
    """When a session's reminders go out (training/notify/schedule.py)."""

    THREE_DAYS = "3d"  # three days before, 09:00: when and where
    WAITING = "waiting"  # three days before, 09:00: still waiting (to the waiting list)
    EVENING = "evening"  # the evening before, 19:00
    MORNING = "morning"  # the first morning, 06:30


class BroadcastTarget(StrEnum):
    """Who a broadcast reaches."""

    SESSION = "session"  # the session's confirmed teachers
    WAITING = "waiting"  # its waiting list
    ABSENTEES = "absentees"  # the absentees of one of its blocks
