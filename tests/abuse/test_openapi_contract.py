"""The OpenAPI schema a client generator can trust: times of day are times (not durations), every choice lists its
allowed values, and the server's answers use them; CSV exports name their charset once."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import make_counties, make_session
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, login_as
from training.checkin.status import STATUSES as SCAN_STATUSES
from training.enrollment.rules import GENDERS, GRADE_BANDS
from training.enrollment.tables import ENROLLMENT_STATUSES
from training.people.places import SCHOOL_LEVELS
from training.programmes import rules
from training.web.openapi import TIME_OF_DAY_PATTERN


def schema(client: TestClient[Any]) -> dict[str, Any]:
    return dict(client.get("/schema/openapi.json").json())


def component(doc: dict[str, Any], suffix: str) -> dict[str, Any]:
    """A component by name (Litestar prefixes a name used by two modules with the module: programmes_api_…)."""
    names = [n for n in doc["components"]["schemas"] if n == suffix or n.endswith("_" + suffix)]
    assert names, f"no component {suffix}"
    return dict(doc["components"]["schemas"][names[0]])


def enum_of(prop: dict[str, Any]) -> list[str]:
    for candidate in [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]:
        if "enum" in candidate:
            return list(candidate["enum"])
    raise AssertionError(f"no enum in {prop}")


def test_block_times_are_times_of_day_not_durations(client: TestClient[Any]) -> None:
    doc = schema(client)
    assert '"duration"' not in client.get("/schema/openapi.json").text
    for name in ("BlockIn", "BlockOut"):
        props = component(doc, name)["properties"]
        for field in ("starts_at", "ends_at"):
            variants = [props[field], *props[field].get("oneOf", [])]
            time_schema = next(v for v in variants if v.get("type") == "string")
            assert time_schema["format"] == "time" and time_schema["pattern"] == TIME_OF_DAY_PATTERN
            assert re.match(TIME_OF_DAY_PATTERN, "08:30:00") and not re.match(TIME_OF_DAY_PATTERN, "PT8H30M")


def test_every_choice_lists_its_allowed_values(client: TestClient[Any]) -> None:
    doc = schema(client)
    expected = {
        ("RegistrationIn", "gender"): GENDERS,
        ("RegistrationIn", "grade_band"): GRADE_BANDS,
        ("RegistrationOut", "status"): ENROLLMENT_STATUSES,
        ("RosterRow", "status"): ENROLLMENT_STATUSES,
        ("DecisionIn", "action"): ("approve", "reject"),
        ("BlockIn", "half_day"): rules.HALF_DAYS,
        ("BlockOut", "half_day"): rules.HALF_DAYS,
        ("ProgrammeIn", "kind"): rules.PROGRAMME_KINDS,
        ("ProgrammeOut", "kind"): rules.PROGRAMME_KINDS,
        ("SessionIn", "mode"): rules.MODES,
        ("SessionPatch", "mode"): rules.MODES,
        ("StatusIn", "status"): rules.STATUSES,
        ("SchoolIn", "level"): SCHOOL_LEVELS,
        ("SchoolOut", "level"): SCHOOL_LEVELS,
        ("ScanAnswer", "status"): SCAN_STATUSES,
    }
    for (name, field), values in expected.items():
        assert enum_of(component(doc, name)["properties"][field]) == list(values), (name, field)
    session_out = [n for n in doc["components"]["schemas"] if n.endswith("SessionOut")]
    assert len(session_out) == 2
    for name in session_out:
        assert enum_of(doc["components"]["schemas"][name]["properties"]["mode"]) == list(rules.MODES)
    params = {
        (path, p["name"]): p["schema"]
        for path, ops in doc["paths"].items()
        for op in ops.values()
        for p in op.get("parameters", [])
    }
    assert enum_of(params[("/api/v1/sessions", "status")]) == list(rules.STATUSES)
    assert enum_of(params[("/api/v1/sessions/{session_id}/roster", "status")]) == ["", *ENROLLMENT_STATUSES]


def test_a_value_outside_the_enum_is_still_refused_with_the_fields_reason(client: TestClient[Any]) -> None:
    login_as(client, "organiser")
    answer = client.post(
        "/api/v1/programmes",
        json={"slug": "winter", "name": "冬季班", "kind": "winter"},
        headers=csrf_headers(client),
    )
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"kind": "invalid_choice"}


def test_csv_exports_name_their_charset_once(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    login_as(client, "organiser")
    for path in (
        "/stats/csv/years.csv",
        f"/admin/enrollment/sessions/{session_id}/export?format=csv",
        "/admin/audit/export.csv",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "text/csv; charset=utf-8", path
