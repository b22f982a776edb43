from piccolo.columns import Boolean, Integer, Serial, Text, Varchar
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.mail.states import Channel
from training.notify.states import NoticeStatus, ReminderSlot


class NotifyPreference(Table, tablename="notify_preference"):
    """A teacher's preferred channel and opt-out of non-essential messages (no row: the defaults)."""

    id: Serial
    teacher = Integer(unique=True)
    channel = Varchar(length=8, default=Channel.SMS, choices=Channel)
    essential_only = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())


class ReminderPlan(Table, tablename="reminder_plan"):
    """Which reminders a session sends (no row: the defaults, training/notify/reminders.py)."""

    id: Serial
    session = Integer(unique=True)
    slots = Varchar(length=128, default="")  # comma-separated slot names, e.g. "3d,evening,morning,waiting"


class ReminderSent(Table, tablename="reminder_sent"):
    """One row per (enrollment, slot) reminder queued: the unique index makes each reminder go out once, whatever
    the number of workers or restarts."""

    id: Serial
    enrollment = Integer()
    slot = Varchar(length=16, choices=ReminderSlot)
    created_at = Timestamptz(default=TimestamptzNow())


class ChangeNotice(Table, tablename="change_notice"):
    """A change to what teachers attend (a block's day, time or room; a cancelled block), waiting for the organiser
    to preview and send it (draft → sent / dismissed). Consecutive edits of one block fold into one draft."""

    id: Serial
    session = Integer(index=True)
    subject = Varchar(length=32)  # what changed: "block:<id>"
    old_text = Text(default="")
    new_text = Text(default="")
    status = Varchar(length=12, default=NoticeStatus.DRAFT, choices=NoticeStatus)
    recipients = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
