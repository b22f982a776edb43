from datetime import date

from training.audit.changes import diff


def test_an_update_lists_only_the_fields_that_changed() -> None:
    before = {"capacity": 150, "title": "第10期", "starts_on": date(2020, 7, 15), "updated_at": 1}
    after = {"capacity": 120, "title": "第10期", "starts_on": date(2020, 7, 16), "updated_at": 2}
    assert diff(before, after) == {"capacity": [150, 120], "starts_on": ["2020-07-15", "2020-07-16"]}


def test_a_create_lists_the_fields_with_a_value_and_never_protected_ones() -> None:
    assert diff(
        None, {"name": "剑阁县", "name_en": "", "prefecture": None, "aided": False, "id_hash": "x"}
    ) == {
        "name": [None, "剑阁县"],
        "aided": [None, False],
    }


def test_a_delete_keeps_what_was_there() -> None:
    assert diff({"topic": "讲座", "room": ""}, None) == {"topic": ["讲座", None]}
