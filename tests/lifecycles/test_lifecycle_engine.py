"""The pure engine: right lookup order, transitions, categories and the dict round trip."""

from __future__ import annotations

import copy
import pickle

import pytest

from lifecycles.engine import (
    Action,
    Lifecycle,
    LifecycleError,
    StatusCategory,
    UpdateType,
    map_status,
)


def make(definition, name="test"):
    return Lifecycle.from_definition(name, definition)


def with_rights(definition, *rights):
    definition["rights"] = [list(r) for r in rights]
    return make(definition)


def test_exact_pattern_beats_every_wildcard(small_definition):
    lc = with_rights(
        small_definition,
        ["* -> *", "Any"],
        ["new -> *", "FromNew"],
        ["* -> closed", "ToClosed"],
        ["new -> closed", "Exact"],
    )
    assert lc.required_right("new", "closed") == "Exact"


def test_wildcard_source_beats_wildcard_target(small_definition):
    lc = with_rights(
        small_definition, ["new -> *", "FromNew"], ["* -> closed", "ToClosed"]
    )
    assert lc.required_right("new", "closed") == "ToClosed"


def test_wildcard_target_used_when_no_pattern_names_the_target(small_definition):
    lc = with_rights(small_definition, ["new -> *", "FromNew"], ["* -> *", "Any"])
    assert lc.required_right("new", "open") == "FromNew"


def test_catch_all_pattern_is_used_last(small_definition):
    lc = with_rights(small_definition, ["new -> *", "FromNew"], ["* -> *", "Any"])
    assert lc.required_right("open", "closed") == "Any"


def test_without_matching_pattern_deleted_needs_delete_ticket(small_definition):
    small_definition["inactive"].append("deleted")
    small_definition["transitions"]["open"].append("deleted")
    lc = with_rights(small_definition)
    assert lc.required_right("open", "deleted") == "DeleteTicket"


def test_without_matching_pattern_other_changes_need_modify_ticket(small_definition):
    lc = with_rights(small_definition)
    assert lc.required_right("open", "closed") == "ModifyTicket"


def test_pattern_without_spaces_around_arrow_is_understood(small_definition):
    lc = with_rights(small_definition, ["open->closed", "CloseTicket"])
    assert lc.required_right("open", "closed") == "CloseTicket"


def test_declared_rights_lists_every_named_right(small_definition):
    assert make(small_definition).declared_rights() == {"CloseTicket", "ModifyTicket"}


def test_statuses_are_in_category_order(small_definition):
    assert make(small_definition).statuses == ("new", "open", "closed")


def test_category_of_each_status(small_definition):
    lc = make(small_definition)
    assert [lc.category(s) for s in lc.statuses] == [
        StatusCategory.INITIAL,
        StatusCategory.ACTIVE,
        StatusCategory.INACTIVE,
    ]


def test_category_predicates_are_false_for_unknown_status(small_definition):
    lc = make(small_definition)
    assert not lc.is_initial("x")
    assert not lc.is_active("x")
    assert not lc.is_inactive("x")


def test_category_of_unknown_status_raises_readable_error(small_definition):
    with pytest.raises(LifecycleError, match="'bogus' isn't a valid status"):
        make(small_definition).category("bogus")


def test_can_transition_follows_transitions(small_definition):
    lc = make(small_definition)
    assert lc.can_transition("new", "closed")
    assert not lc.can_transition("open", "new")


def test_can_transition_is_false_for_same_status(small_definition):
    assert not make(small_definition).can_transition("open", "open")


def test_can_transition_is_false_for_unknown_status(small_definition):
    lc = make(small_definition)
    assert not lc.can_transition("bogus", "open")
    assert not lc.can_transition("open", "bogus")


def test_next_statuses_keep_configured_order(small_definition):
    small_definition["transitions"]["new"] = ["closed", "open"]
    assert make(small_definition).next_statuses("new") == ("closed", "open")


def test_creatable_statuses_come_from_the_creation_key(small_definition):
    assert make(small_definition).creatable_statuses() == ("new", "open")


def test_creatable_statuses_fall_back_to_initial_without_creation_key(
    small_definition,
):
    del small_definition["transitions"][""]
    assert make(small_definition).creatable_statuses() == ("new",)


def test_default_create_status_is_on_create(small_definition):
    small_definition["defaults"]["on_create"] = "open"
    assert make(small_definition).default_create_status() == "open"


def test_wildcard_action_is_offered_where_its_transition_is_allowed(small_definition):
    lc = make(small_definition)
    assert [a.label for a in lc.actions_for("new")] == ["Close"]
    assert lc.actions_for("closed") == ()


def test_actions_keep_configured_order(small_definition):
    small_definition["actions"].insert(
        0, {"from": "new", "to": "open", "label": "Open", "update": ""}
    )
    assert [a.label for a in make(small_definition).actions_for("new")] == [
        "Open",
        "Close",
    ]


def test_action_update_type_is_case_insensitive(small_definition):
    small_definition["actions"][0]["update"] = "Respond"
    assert make(small_definition).actions[0].update is UpdateType.RESPOND


def test_action_without_update_has_none(small_definition):
    del small_definition["actions"][0]["update"]
    assert make(small_definition).actions[0].update is UpdateType.NONE


def test_action_matches_its_source_or_any_with_wildcard():
    assert Action("new", "open", "Open").matches("new")
    assert not Action("new", "open", "Open").matches("stalled")
    assert Action("*", "open", "Open").matches("stalled")


def test_reopen_status_is_first_active_target_of_inactive_status(small_definition):
    assert make(small_definition).reopen_status("closed") == "open"


def test_reopen_status_is_none_when_no_active_status_is_reachable(small_definition):
    small_definition["transitions"]["closed"] = ["new"]
    assert make(small_definition).reopen_status("closed") is None


def test_reopen_status_is_none_for_a_status_that_is_not_inactive(small_definition):
    assert make(small_definition).reopen_status("open") is None


def test_open_status_is_first_active_target_of_initial_status(small_definition):
    assert make(small_definition).open_status("new") == "open"


def test_first_active_status(small_definition):
    assert make(small_definition).first_active_status() == "open"


def test_definition_round_trips(incident_definition):
    lc = make(incident_definition, "incident")
    assert Lifecycle.from_definition("incident", lc.to_definition()) == lc


def test_lifecycle_cannot_be_changed_in_place(small_definition):
    lc = make(small_definition)
    with pytest.raises(TypeError):
        lc.transitions["new"] = ("closed",)


def test_lifecycle_does_not_share_the_definition_lists(small_definition):
    lc = make(small_definition)
    small_definition["transitions"]["open"].append("new")
    assert not lc.can_transition("open", "new")


def test_lifecycle_survives_pickle_and_deepcopy(incident_definition):
    lc = make(incident_definition, "incident")
    assert pickle.loads(pickle.dumps(lc)) == lc  # noqa: S301 - pickled just above
    assert copy.deepcopy(lc) == lc


def test_lifecycle_error_lists_every_problem():
    exc = LifecycleError(["first", "second"])
    assert exc.errors == ["first", "second"]
    assert str(exc) == "first; second"


def test_map_status_helper_returns_none_for_unmapped_status():
    assert map_status({"new": "new"}, "new") == "new"
    assert map_status({"new": "new"}, "open") is None
