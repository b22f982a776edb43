"""iCalendar (RFC 5545) text for sessions and their timetable blocks. Pure: no I/O, no project imports.

Used by the organiser's .ics export and the calendar feed, and by confirmation emails (as an attachment
`text/calendar; method=PUBLISH`). Inputs are plain mappings so the rows returned by Piccolo's `.select()` can be
passed as they are:

    session: id, title, starts_on (date), ends_on (date), and optionally venue, host_city, host_institution,
             description, contact_name, contact_phone, status, updated_at
    blocks:  id, day (date), starts_at (time), ends_at (time), and optionally topic, instructor, room,
             half_day, hours, cancelled

Times are local (Asia/Shanghai, no daylight saving) and written with TZID plus a VTIMEZONE, so every calendar
shows 08:30 as 08:30 in China whatever the reader's own zone. UIDs are stable (session / block ids), so
importing an updated file updates the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

TZID = "Asia/Shanghai"
PRODID = "-//training//teacher-training programmes//ZH"

_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line at `limit` octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    if len(line.encode("utf-8")) <= limit:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    budget = limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > budget:
            parts.append(current)
            current, size = char, width
            budget = limit - 1  # continuation lines start with one space
        else:
            current += char
            size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc_stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: date, at: time) -> str:
    return f"{day:%Y%m%d}T{at:%H%M%S}"


def _join(*parts: Any, sep: str = " · ") -> str:
    return sep.join(str(p).strip() for p in parts if p is not None and str(p).strip())


def session_location(session: Mapping[str, Any]) -> str:
    return _join(session.get("host_city"), session.get("venue") or session.get("host_institution"))


def session_ics(
    session: Mapping[str, Any],
    blocks: Iterable[Mapping[str, Any]] = (),
    *,
    uid_domain: str = "training.local",
    url: str = "",
    stamp: datetime | None = None,
) -> str:
    """One session as a VCALENDAR: one timed event per (not cancelled) block, or, without a timetable,
    one all-day event spanning the session's dates."""
    return calendar_ics([(session, list(blocks))], uid_domain=uid_domain, url=url, stamp=stamp)


def calendar_ics(
    sessions: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    *,
    uid_domain: str = "training.local",
    url: str = "",
    stamp: datetime | None = None,
    name: str = "",
) -> str:
    """Several sessions (each with its blocks) in one VCALENDAR."""
    dtstamp = _utc_stamp(stamp or datetime.now(UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    lines.append(f"X-WR-TIMEZONE:{TZID}")
    lines += _VTIMEZONE
    for session, blocks in sessions:
        lines += _session_events(session, blocks, uid_domain=uid_domain, url=url, dtstamp=dtstamp)
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def _session_events(
    session: Mapping[str, Any],
    blocks: Sequence[Mapping[str, Any]],
    *,
    uid_domain: str,
    url: str,
    dtstamp: str,
) -> list[str]:
    title = str(session.get("title", ""))
    location = session_location(session)
    contact = _join(session.get("contact_name"), session.get("contact_phone"), sep=" ")
    status = "CANCELLED" if session.get("status") == "cancelled" else "CONFIRMED"
    updated = session.get("updated_at")
    common: list[str] = []
    if isinstance(updated, datetime):
        common.append(f"LAST-MODIFIED:{_utc_stamp(updated)}")
    if url:
        common.append(f"URL:{url}")
    lines: list[str] = []
    active = [b for b in blocks if not b.get("cancelled")]
    if not active:
        description = _join(session.get("description"), contact and f"联系人 {contact}", sep="\n")
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session['id']}@{uid_domain}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{session['starts_on']:%Y%m%d}",
            # DTEND of an all-day event is exclusive: the day after the last day.
            f"DTEND;VALUE=DATE:{session['ends_on'] + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(title)}",
            f"STATUS:{status}",
            "TRANSP:TRANSPARENT",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        lines += [*common, "END:VEVENT"]
        return lines
    for block in sorted(active, key=lambda b: (b["day"], b["starts_at"])):
        topic = str(block.get("topic") or "")
        summary = f"{title}：{topic}" if topic else title
        where = _join(location, block.get("room"))
        hours = block.get("hours")
        details = _join(
            block.get("instructor") and f"主讲 {block['instructor']}",
            hours is not None and f"{float(hours):g} 学时",
            contact and f"联系人 {contact}",
            sep="\n",
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session['id']}-block-{block['id']}@{uid_domain}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;TZID={TZID}:{_local(block['day'], block['starts_at'])}",
            f"DTEND;TZID={TZID}:{_local(block['day'], block['ends_at'])}",
            f"SUMMARY:{escape_text(summary)}",
            f"STATUS:{status}",
        ]
        if where:
            lines.append(f"LOCATION:{escape_text(where)}")
        if details:
            lines.append(f"DESCRIPTION:{escape_text(details)}")
        lines += [*common, "END:VEVENT"]
    return lines


def unfold(text: str) -> list[str]:
    """Content lines of an iCalendar text with folding undone (for tests and for reading files back)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]
