"""Every rule of the shipped "default" lifecycle (RT's stock ticket lifecycle)."""

from __future__ import annotations

import itertools

import pytest

from lifecycles.defaults import DEFAULT
from lifecycles.engine import Lifecycle, UpdateType

LC = Lifecycle.from_definition("default", DEFAULT)
STATUSES = ["new", "open", "stalled", "resolved", "rejected", "deleted"]
PAIRS = list(itertools.permutations(STATUSES, 2))


def labels(status):
    return [(a.to_status, a.label, a.update) for a in LC.actions_for(status)]


def test_default_statuses_by_category():
    assert LC.initial == ("new",)
    assert LC.active == ("open", "stalled")
    assert LC.inactive == ("resolved", "rejected", "deleted")


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_default_allows_every_change_between_different_statuses(old, new):
    assert LC.can_transition(old, new)


@pytest.mark.parametrize("status", STATUSES)
def test_default_refuses_change_to_the_same_status(status):
    assert not LC.can_transition(status, status)


def test_default_refuses_unknown_status():
    assert not LC.can_transition("open", "closed")


def test_default_creates_with_new_open_or_resolved():
    assert LC.creatable_statuses() == ("new", "open", "resolved")


def test_default_create_status_is_new():
    assert LC.default_create_status() == "new"


@pytest.mark.parametrize("old", [s for s in STATUSES if s != "deleted"])
def test_default_deleting_needs_delete_ticket(old):
    assert LC.required_right(old, "deleted") == "DeleteTicket"


@pytest.mark.parametrize(("old", "new"), [p for p in PAIRS if p[1] != "deleted"])
def test_default_other_changes_need_modify_ticket(old, new):
    assert LC.required_right(old, new) == "ModifyTicket"


def test_default_undeleting_needs_modify_ticket():
    assert LC.required_right("deleted", "open") == "ModifyTicket"


def test_default_declares_only_stock_rights():
    assert LC.declared_rights() == {"DeleteTicket", "ModifyTicket"}


def test_default_actions_for_new():
    assert labels("new") == [
        ("open", "Open It", UpdateType.RESPOND),
        ("resolved", "Resolve", UpdateType.COMMENT),
        ("rejected", "Reject", UpdateType.RESPOND),
        ("deleted", "Delete", UpdateType.NONE),
    ]


def test_default_actions_for_open():
    assert labels("open") == [
        ("stalled", "Stall", UpdateType.COMMENT),
        ("resolved", "Resolve", UpdateType.COMMENT),
        ("rejected", "Reject", UpdateType.RESPOND),
    ]


def test_default_stalled_offers_open_it_without_update():
    assert labels("stalled") == [("open", "Open It", UpdateType.NONE)]


@pytest.mark.parametrize("status", ["resolved", "rejected"])
def test_default_inactive_ticket_offers_reopen_with_comment(status):
    assert labels(status) == [("open", "Re-open", UpdateType.COMMENT)]


def test_default_deleted_ticket_offers_undelete():
    assert labels("deleted") == [("open", "Undelete", UpdateType.NONE)]


@pytest.mark.parametrize("status", ["resolved", "rejected", "deleted"])
def test_default_correspondence_reopens_inactive_ticket_to_open(status):
    assert LC.reopen_status(status) == "open"


@pytest.mark.parametrize("status", ["new", "open", "stalled"])
def test_default_reopen_status_is_none_for_live_ticket(status):
    assert LC.reopen_status(status) is None


def test_default_opening_a_new_ticket_moves_it_to_open():
    assert LC.open_status("new") == "open"
    assert LC.first_active_status() == "open"


def test_default_approval_and_reminder_defaults():
    assert dict(LC.defaults) == {
        "on_create": "new",
        "approved": "open",
        "denied": "rejected",
        "reminder_on_open": "open",
        "reminder_on_resolve": "resolved",
    }
