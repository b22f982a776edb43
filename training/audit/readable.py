"""The audit log as sentences: who (one name per person), what, and each change as "label: before → after" with
county names, status names and dates in the page's language.

`load_names` fetches, in a few queries, the names the entries refer to; `describe` is pure (it only translates).
Rows written by any domain are rendered: known actions, entities and fields get words, unknown ones show their
code, so nothing recorded is ever hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from training.audit.writer import COMMAND_LINE
from training.i18n import N_, gettext
from training.rendering.labels import label

SYSTEM_NAMES = ("", "system")

# entity code → (English msgid, the table its id names, the column with its name)
ENTITIES: dict[str, tuple[str, str, str]] = {
    "session": (N_("session"), "training_session", "title"),
    "quotas": (N_("county quotas of session"), "training_session", "title"),
    "programme": (N_("programme"), "programme", "name"),
    "block": (N_("timetable block"), "block", "topic"),
    "county": (N_("county"), "county", "name"),
    "school": (N_("school"), "school", "name"),
    "enrollment": (N_("registration"), "", ""),
    "teacher": (N_("teacher"), "", ""),
    "certificate": (N_("certificate"), "", ""),
    "year": (N_("year"), "", ""),
    "staff_user": (N_("staff account"), "staff_user", "display_name"),
    "api_token": (N_("API token"), "", ""),
    "outbox_message": (N_("email"), "", ""),
    "audit_entry": (N_("audit log"), "", ""),
}

# action code → sentence ({who}, {thing}); an action not listed reads "{who}: {action} {thing}"
ACTIONS: dict[str, str] = {
    "create": N_("{who} created {thing}"),
    "update": N_("{who} changed {thing}"),
    "delete": N_("{who} deleted {thing}"),
    "published": N_("{who} published {thing}"),
    "closed": N_("{who} closed {thing}"),
    "unpublish": N_("{who} took {thing} back to draft"),
    "reopen": N_("{who} reopened {thing}"),
    "copy": N_("{who} made {thing} by copying another session"),
    "copy_timetable": N_("{who} copied a timetable into {thing}"),
    "import": N_("{who} imported a list of {thing}"),
    "approve": N_("{who} approved or selected registrations in {thing}"),
    "reject": N_("{who} rejected registrations in {thing}"),
    "cancel": N_("{who} cancelled {thing}"),
    "nominate": N_("{who} nominated a teacher for {thing}"),
    "withdraw": N_("{who} withdrew {thing}"),
    "export_roster": N_("{who} exported the roster of {thing}"),
    "coordinator_contacts": N_("{who} set whether county coordinators may download full contacts of {thing}"),
    "view_phones": N_("{who} viewed the mobile numbers of {thing}"),
    "view_id_number": N_("{who} viewed the full ID-card number of {thing}"),
    "grant_certificate": N_("{who} granted a certificate by exception for {thing}"),
    "deny_certificate": N_("{who} refused a certificate by exception for {thing}"),
    "clear_certificate_exception": N_("{who} cleared the certificate exception of {thing}"),
    "revoke": N_("{who} revoked {thing}"),
    "reissue": N_("{who} re-issued {thing}"),
    "issue": N_("{who} issued certificates for {thing}"),
    "issue_certificates_early": N_("{who} issued certificates for {thing} before its last block ended"),
    "download_hours_ledger": N_("{who} downloaded the hours ledger of {thing} with full ID-card numbers"),
    "create_survey": N_("{who} created the evaluation survey of {thing}"),
    "update_survey": N_("{who} changed the evaluation survey of {thing}"),
    "copy_survey": N_("{who} copied an earlier evaluation survey into {thing}"),
    "publish_survey": N_("{who} published the evaluation survey of {thing}"),
    "close_survey": N_("{who} closed the evaluation survey of {thing}"),
    "download_survey_results": N_("{who} downloaded the evaluation survey results of {thing}"),
    "reset_password": N_("{who} reset the password of {thing}"),
    "deactivate": N_("{who} deactivated {thing}"),
    "reactivate": N_("{who} reactivated {thing}"),
    "assign": N_("{who} assigned {thing} to a session"),
    "unassign": N_("{who} removed {thing} from a session"),
    "create_token": N_("{who} created {thing}"),
    "revoke_token": N_("{who} revoked {thing}"),
    "view_recipient": N_("{who} opened {thing} with its recipient unmasked"),
}

FIELDS: dict[str, str] = {
    "title": N_("Title"),
    "name": N_("Name"),
    "name_en": N_("English name"),
    "slug": N_("Short name"),
    "kind": N_("Kind"),
    "description": N_("Description"),
    "number": N_("Number"),
    "year": N_("Year"),
    "mode": N_("How teachers join"),
    "status": N_("Status"),
    "capacity": N_("Capacity"),
    "starts_on": N_("First day"),
    "ends_on": N_("Last day"),
    "venue": N_("Venue"),
    "host_city": N_("Host city"),
    "host_institution": N_("Host institution"),
    "registration_opens_at": N_("Registration opens"),
    "registration_closes_at": N_("Registration closes"),
    "nomination_deadline": N_("Nomination deadline (counties)"),
    "completion_hours": N_("Hours needed for the certificate"),
    "completion_percent": N_("Attendance needed for the certificate (%)"),
    "contact_name": N_("Contact person"),
    "contact_phone": N_("Contact phone"),
    "programme": N_("Programme"),
    "session": N_("Session"),
    "quotas": N_("County quotas"),
    "release_unused_quota_on": N_("Unused seats released on"),
    "copied_from": N_("Copied from"),
    "from_session": N_("Timetable copied from"),
    "blocks": N_("Timetable blocks"),
    "day": N_("Day"),
    "half_day": N_("Half day"),
    "starts_at": N_("Starts at"),
    "ends_at": N_("Ends at"),
    "topic": N_("Topic"),
    "hours": N_("Hours"),
    "cancelled": N_("Cancelled"),
    "code": N_("Division code"),
    "province": N_("Province"),
    "prefecture": N_("Prefecture"),
    "aided": N_("Aided county"),
    "county": N_("County"),
    "school": N_("School"),
    "level": N_("School level"),
    "enrollments": N_("Registrations"),
    "promoted": N_("Moved up from the waiting list"),
    "created": N_("Added"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "reason": N_("Reason"),
    "role": N_("Role"),
    "active": N_("Active"),
    "display_name": N_("Display name"),
    "username": N_("User name"),
    "email": N_("Email"),
    "phone": N_("Mobile number"),
    "gender": N_("Gender"),
    "ethnicity": N_("Ethnicity"),
    "subject": N_("Subject"),
    "grade_band": N_("Grade band"),
    "scopes": N_("Scopes"),
    "sessions": N_("Sessions"),
    "rows": N_("Rows"),
    "missing": N_("People listed"),
}

# field → the label kind (training/rendering/labels.py) its values are drawn with
VALUE_KINDS = {
    "mode": "session_mode",
    "half_day": "half_day",
    "role": "role",
    "gender": "gender",
    "grade_band": "grade_band",
    "level": "school_level",
}
# field → the entity its id values name
ID_FIELDS = {
    "county": "county",
    "programme": "programme",
    "session": "session",
    "copied_from": "session",
    "from_session": "session",
    "school": "school",
}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Names:
    """Display names of the people and things the entries refer to, by entity and id."""

    actors: dict[int, str] = field(default_factory=dict)
    things: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, entity: str, entity_id: Any) -> str:
        return self.things.get(entity, {}).get(str(entity_id), "")


@dataclass
class Change:
    label: str
    before: str
    after: str
    pair: bool = True  # False: a plain value ("Added: 3"), no arrow


@dataclass
class ReadableEntry:
    id: int
    at: datetime
    who: str
    sentence: str
    changes: list[Change]
    action: str
    entity: str
    entity_id: str


def who(entry: Mapping[str, Any], names: Names) -> str:
    """One name per person: the account's current display name, whatever name the row was written with."""
    actor_id = entry.get("actor_id")
    if actor_id:
        return names.actors.get(int(actor_id)) or entry.get("actor_name") or f"#{actor_id}"
    actor_name = entry.get("actor_name") or ""
    if actor_name == COMMAND_LINE:
        return gettext(N_("Command line"))
    if actor_name in SYSTEM_NAMES:
        return gettext(N_("System"))
    return str(actor_name)  # a scanner's name written by the check-in service, a device's …


def entity_label(entity: str) -> str:
    known = ENTITIES.get(entity)
    return gettext(known[0]) if known else entity


def thing(entry: Mapping[str, Any], names: Names) -> str:
    entity, entity_id = entry["entity"], entry.get("entity_id") or ""
    name = names.of(entity, entity_id)
    if name:
        return gettext(N_("{kind} “{name}”")).format(kind=entity_label(entity), name=name)
    if entity_id:
        return f"{entity_label(entity)} #{entity_id}"
    return entity_label(entity)


def value_text(name: str, value: Any, names: Names, entity: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext(N_("yes")) if value else gettext(N_("no"))
    if name == "status":
        kind = "session_status" if entity in ("session", "quotas") else "enrollment_status"
        return label(kind, str(value)) if isinstance(value, str) else str(value)
    if name in VALUE_KINDS and isinstance(value, str):
        return label(VALUE_KINDS[name], value)
    if name in ID_FIELDS and isinstance(value, int | str) and str(value).isdigit():
        return names.of(ID_FIELDS[name], value) or f"#{value}"
    if name in ("enrollments", "promoted", "missing") and isinstance(value, list):
        return gettext(N_("{n} people")).format(n=len(value))
    if isinstance(value, str) and _DATETIME.match(value):
        from training.rendering.templates import local_datetime

        try:
            return local_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(value_text(name, v, names, entity) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {value_text(name, v, names, entity)}" for k, v in value.items())
    return str(value)


def _field_label(name: str) -> str:
    return gettext(FIELDS[name]) if name in FIELDS else name


def _quota_changes(before: Any, after: Any, names: Names) -> list[Change]:
    """County quotas {county id: seats} as one line per county that changed, with its name."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    changes = []
    for county_id in sorted(set(old) | set(new), key=lambda k: names.of("county", k) or str(k)):
        if old.get(county_id) == new.get(county_id):
            continue
        county = names.of("county", county_id) or f"#{county_id}"
        changes.append(
            Change(
                gettext(N_("Quota of {county}")).format(county=county),
                value_text("quota", old.get(county_id), names),
                value_text("quota", new.get(county_id), names),
            )
        )
    return changes


def changes_of(entry: Mapping[str, Any], names: Names) -> list[Change]:
    raw = entry.get("changes") or {}
    if not isinstance(raw, dict):
        return [Change(gettext(N_("Details")), "", str(raw), pair=False)]
    entity = entry["entity"]
    lines: list[Change] = []
    for key, value in raw.items():
        if isinstance(value, list) and len(value) == 2 and key not in ("enrollments", "promoted", "missing"):
            before, after = value
            if key == "quotas":
                lines.extend(_quota_changes(before, after, names))
                continue
            lines.append(
                Change(
                    _field_label(key),
                    value_text(key, before, names, entity),
                    value_text(key, after, names, entity),
                )
            )
        elif key == "quotas" and isinstance(value, dict):
            lines.extend(_quota_changes({}, value, names))
        else:
            lines.append(Change(_field_label(key), "", value_text(key, value, names, entity), pair=False))
    return lines


def describe(entry: Mapping[str, Any], names: Names) -> ReadableEntry:
    action = entry["action"]
    template = ACTIONS.get(action)
    person, target = who(entry, names), thing(entry, names)
    if template:
        sentence = gettext(template).format(who=person, thing=target)
    else:
        sentence = gettext(N_("{who}: {action} {thing}")).format(who=person, action=action, thing=target)
    return ReadableEntry(
        id=int(entry["id"]),
        at=entry["at"],
        who=person,
        sentence=sentence,
        changes=changes_of(entry, names),
        action=action,
        entity=entry["entity"],
        entity_id=str(entry.get("entity_id") or ""),
    )


def referenced_ids(entries: Iterable[Mapping[str, Any]]) -> dict[str, set[int]]:
    """entity → ids named by the entries (their own id, id-valued fields, quota counties)."""
    wanted: dict[str, set[int]] = {}

    def add(entity: str, value: Any) -> None:
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            wanted.setdefault(entity, set()).add(int(value))

    for entry in entries:
        add(entry["entity"], entry.get("entity_id"))
        changes = entry.get("changes") or {}
        if not isinstance(changes, dict):
            continue
        for key, value in changes.items():
            values = value if isinstance(value, list) else [value]
            if key in ID_FIELDS:
                for v in values:
                    add(ID_FIELDS[key], v)
            if key == "quotas":
                for v in values:
                    for county_id in v if isinstance(v, dict) else ():
                        add("county", county_id)
    return wanted
