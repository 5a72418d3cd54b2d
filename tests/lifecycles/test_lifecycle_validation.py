"""validate_definition: every problem is reported, in words an admin can act on."""

from __future__ import annotations

import pytest

from lifecycles.defaults import LIFECYCLES
from lifecycles.engine import Lifecycle, LifecycleError, validate_definition


@pytest.mark.parametrize("name", list(LIFECYCLES))
def test_shipped_definitions_are_valid(name):
    assert validate_definition(LIFECYCLES[name]) == []


def test_small_definition_is_valid(small_definition):
    assert validate_definition(small_definition) == []


def test_status_in_two_categories_is_reported(small_definition):
    small_definition["inactive"].append("open")
    assert "status 'open' is listed in 'active' and 'inactive'" in (
        validate_definition(small_definition)
    )


def test_status_twice_in_one_category_is_reported(small_definition):
    small_definition["active"].append("open")
    assert "status 'open' is listed twice in 'active'" in validate_definition(
        small_definition
    )


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        ("", "is empty"),
        ("Open", "must be lowercase"),
        ("x" * 65, "is longer than 64 characters"),
        ("café", "must use printable ASCII characters only"),
        ("a*b", "must not contain '*' or '->'"),
        ("a->b", "must not contain '*' or '->'"),
        (" open", "must not start or end with a space"),
        (3, "must be a string"),
    ],
)
def test_malformed_status_is_reported(small_definition, status, problem):
    small_definition["active"].append(status)
    assert f"active status {status!r} {problem}" in validate_definition(
        small_definition
    )


def test_status_of_64_characters_is_allowed(small_definition):
    status = "x" * 64
    small_definition["active"].append(status)
    small_definition["transitions"]["open"].append(status)
    assert validate_definition(small_definition) == []


def test_unknown_transition_target_is_reported(small_definition):
    small_definition["transitions"]["open"].append("closd")
    assert "transition from 'open' names unknown status 'closd'" in (
        validate_definition(small_definition)
    )


def test_unknown_creation_status_is_reported(small_definition):
    small_definition["transitions"][""].append("pending")
    assert "transition at creation names unknown status 'pending'" in (
        validate_definition(small_definition)
    )


def test_unknown_transition_source_is_reported(small_definition):
    small_definition["transitions"]["pending"] = ["open"]
    assert "transitions list unknown source status 'pending'" in (
        validate_definition(small_definition)
    )


def test_transition_to_itself_is_reported(small_definition):
    small_definition["transitions"]["open"].append("open")
    assert "transition from 'open' goes to itself" in validate_definition(
        small_definition
    )


def test_unreachable_status_is_reported(small_definition):
    small_definition["active"].append("stalled")
    assert "status 'stalled' cannot be reached from the creation statuses" in (
        validate_definition(small_definition)
    )


def test_status_reached_only_through_other_statuses_counts_as_reachable(
    small_definition,
):
    small_definition["active"].append("stalled")
    small_definition["transitions"]["closed"].append("stalled")
    assert validate_definition(small_definition) == []


def test_no_creatable_status_is_reported(small_definition):
    small_definition["transitions"][""] = []
    small_definition["active"].insert(0, "new")
    small_definition["initial"] = []
    errors = validate_definition(small_definition)
    assert any(e.startswith("no status is allowed at creation") for e in errors)


def test_bad_rights_pattern_is_reported(small_definition):
    small_definition["rights"].append(["open to closed", "CloseTicket"])
    assert "rights pattern 'open to closed' must look like 'A -> B'" in (
        validate_definition(small_definition)
    )


def test_rights_pattern_with_unknown_status_is_reported(small_definition):
    small_definition["rights"].append(["open -> closd", "CloseTicket"])
    assert "rights pattern 'open -> closd' names unknown status 'closd'" in (
        validate_definition(small_definition)
    )


def test_rights_pattern_listed_twice_is_reported(small_definition):
    small_definition["rights"].append(["*->closed", "Other"])
    assert "rights pattern '*->closed' is listed more than once" in (
        validate_definition(small_definition)
    )


def test_rights_entry_without_right_name_is_reported(small_definition):
    small_definition["rights"].append(["open -> closed", ""])
    assert "rights pattern 'open -> closed' needs a right name without spaces" in (
        validate_definition(small_definition)
    )


def test_action_for_forbidden_transition_is_reported(small_definition):
    small_definition["actions"].append({"from": "open", "to": "new", "label": "Back"})
    assert "action 'Back' (open -> new) is not an allowed transition" in (
        validate_definition(small_definition)
    )


def test_wildcard_action_needs_one_allowed_source(small_definition):
    small_definition["actions"].append({"from": "*", "to": "new", "label": "Restart"})
    assert "action 'Restart' (* -> new) is not an allowed transition" in (
        validate_definition(small_definition)
    )


def test_action_with_empty_label_is_reported(small_definition):
    small_definition["actions"][0]["label"] = "  "
    assert "action #1 (* -> closed) has an empty label" in validate_definition(
        small_definition
    )


def test_action_with_unknown_update_is_reported(small_definition):
    small_definition["actions"][0]["update"] = "shout"
    assert (
        "action 'Close' has update 'shout'; use 'respond', 'comment' or leave it empty"
        in validate_definition(small_definition)
    )


def test_on_create_outside_creatable_statuses_is_reported(small_definition):
    small_definition["defaults"]["on_create"] = "closed"
    assert (
        "default on_create 'closed' is not a status allowed at creation"
        " (allowed: 'new', 'open')" in validate_definition(small_definition)
    )


def test_missing_on_create_is_reported(small_definition):
    small_definition["defaults"] = {}
    assert "defaults must set 'on_create'" in validate_definition(small_definition)


def test_default_naming_unknown_status_is_reported(small_definition):
    small_definition["defaults"]["denied"] = "refused"
    assert "default denied names unknown status 'refused'" in validate_definition(
        small_definition
    )


def test_unknown_default_is_reported(small_definition):
    small_definition["defaults"]["on_lunch"] = "open"
    errors = validate_definition(small_definition)
    assert any(e.startswith("unknown default 'on_lunch'") for e in errors)


def test_wrongly_typed_parts_are_reported_without_crashing(small_definition):
    small_definition.update(
        active="open", transitions=[], rights={}, actions="x", defaults=None
    )
    assert validate_definition(small_definition) == [
        "'active' must be a list of statuses",
        "'transitions' must be an object of status -> list of statuses",
        "'rights' must be a list of [pattern, right] pairs",
        "'actions' must be a list of objects",
        "'defaults' must be an object and set 'on_create'",
        "status 'closed' cannot be reached from the creation statuses",
    ]


def test_from_definition_raises_every_problem_at_once(small_definition):
    small_definition["transitions"]["open"].append("closd")
    small_definition["defaults"]["on_create"] = "closed"
    with pytest.raises(LifecycleError) as excinfo:
        Lifecycle.from_definition("small", small_definition)
    assert excinfo.value.errors == [
        "lifecycle 'small': transition from 'open' names unknown status 'closd'",
        "lifecycle 'small': default on_create 'closed' is not a status allowed at"
        " creation (allowed: 'new', 'open')",
    ]
