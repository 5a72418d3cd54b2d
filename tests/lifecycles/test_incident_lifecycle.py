"""Every rule of the shipped "incident" lifecycle (for CSIRTs)."""

from __future__ import annotations

import itertools

import pytest

from lifecycles.defaults import DEFAULT, INCIDENT, MAPS
from lifecycles.engine import Lifecycle, validate_map

LC = Lifecycle.from_definition("incident", INCIDENT)
STATUSES = [
    "new",
    "triage",
    "incident",
    "closing",
    "post-incident",
    "resolved",
    "rejected",
]
ALLOWED = {
    ("new", "triage"),
    ("new", "resolved"),
    ("new", "rejected"),
    ("triage", "incident"),
    ("triage", "resolved"),
    ("triage", "rejected"),
    ("triage", "new"),
    ("incident", "closing"),
    ("closing", "post-incident"),
    ("closing", "incident"),
    ("post-incident", "resolved"),
    ("post-incident", "closing"),
    ("resolved", "triage"),
    ("resolved", "incident"),
    ("rejected", "triage"),
}
FORBIDDEN = sorted(set(itertools.permutations(STATUSES, 2)) - ALLOWED)


def reachable(start, without):
    seen, todo = {start}, [start]
    while todo:
        for nxt in LC.next_statuses(todo.pop()):
            if nxt != without and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_incident_statuses_by_category():
    assert LC.initial == ("new",)
    assert LC.active == ("triage", "incident", "closing", "post-incident")
    assert LC.inactive == ("resolved", "rejected")


def test_incident_has_no_deleted_status():
    assert not LC.is_valid("deleted")


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_incident_allows_configured_transition(old, new):
    assert LC.can_transition(old, new)


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_incident_refuses_unlisted_transition(old, new):
    assert not LC.can_transition(old, new)


def test_incident_cannot_jump_from_incident_to_resolved():
    assert not LC.can_transition("incident", "resolved")


def test_incident_cannot_jump_from_incident_to_rejected():
    assert not LC.can_transition("incident", "rejected")


def test_declared_incident_can_only_leave_through_closing():
    assert LC.next_statuses("incident") == ("closing",)


@pytest.mark.parametrize("gate", ["closing", "post-incident"])
def test_declared_incident_cannot_reach_resolved_without_gate(gate):
    assert "resolved" not in reachable("incident", without=gate)


@pytest.mark.parametrize("status", ["new", "triage"])
def test_incident_new_and_triage_may_exit_straight_to_resolved_or_rejected(status):
    assert LC.can_transition(status, "resolved")
    assert LC.can_transition(status, "rejected")


def test_incident_creates_with_new_or_triage():
    assert LC.creatable_statuses() == ("new", "triage")
    assert LC.default_create_status() == "new"


def test_declaring_incident_needs_declare_incident():
    assert LC.required_right("triage", "incident") == "DeclareIncident"


@pytest.mark.parametrize("new", ["post-incident", "incident"])
def test_leaving_closing_needs_close_incident(new):
    assert LC.required_right("closing", new) == "CloseIncident"


def test_entering_closing_needs_modify_ticket():
    assert LC.required_right("incident", "closing") == "ModifyTicket"


@pytest.mark.parametrize("old", ["new", "triage"])
def test_rejecting_needs_reject_ticket(old):
    assert LC.required_right(old, "rejected") == "RejectTicket"


@pytest.mark.parametrize(
    ("old", "new"),
    [("resolved", "triage"), ("resolved", "incident"), ("rejected", "triage")],
)
def test_reopening_needs_reopen_incident(old, new):
    assert LC.required_right(old, new) == "ReopenIncident"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("new", "triage"),
        ("new", "resolved"),
        ("triage", "new"),
        ("triage", "resolved"),
        ("post-incident", "resolved"),
        ("post-incident", "closing"),
    ],
)
def test_other_incident_changes_need_modify_ticket(old, new):
    assert LC.required_right(old, new) == "ModifyTicket"


def test_incident_declares_its_own_rights():
    assert LC.declared_rights() == {
        "DeclareIncident",
        "CloseIncident",
        "RejectTicket",
        "ReopenIncident",
        "ModifyTicket",
    }


def test_incident_actions_for_triage():
    assert [a.label for a in LC.actions_for("triage")] == [
        "Declare incident",
        "Resolve (no incident)",
        "Reject",
    ]


def test_incident_offers_only_begin_closing_for_a_declared_incident():
    assert [a.label for a in LC.actions_for("incident")] == ["Begin closing"]


def test_incident_actions_for_closing():
    assert [a.label for a in LC.actions_for("closing")] == [
        "Back to incident",
        "Post-incident review",
    ]


def test_incident_post_incident_offers_close_out():
    assert [a.label for a in LC.actions_for("post-incident")] == ["Close out"]


@pytest.mark.parametrize("status", ["resolved", "rejected"])
def test_incident_inactive_ticket_offers_reopen_to_triage(status):
    assert [(a.label, a.to_status) for a in LC.actions_for(status)] == [
        ("Re-open", "triage")
    ]


@pytest.mark.parametrize("status", ["resolved", "rejected"])
def test_incident_correspondence_reopens_inactive_ticket_to_triage(status):
    assert LC.reopen_status(status) == "triage"


def test_incident_opening_a_new_ticket_moves_it_to_triage():
    assert LC.open_status("new") == "triage"


@pytest.mark.parametrize(("source", "target"), list(MAPS))
def test_shipped_map_covers_every_source_status(source, target):
    lifecycles = {"default": DEFAULT, "incident": INCIDENT}
    src = Lifecycle.from_definition(source, lifecycles[source])
    dst = Lifecycle.from_definition(target, lifecycles[target])
    assert validate_map(MAPS[source, target], src.statuses, dst.statuses) == []


def test_deleted_default_ticket_becomes_rejected_incident():
    assert MAPS["default", "incident"]["deleted"] == "rejected"
