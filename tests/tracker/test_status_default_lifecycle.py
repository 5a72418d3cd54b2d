"""Status changes through `set_status` in the shipped `default` lifecycle (rt-semantics 4.2, 4.3)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import grant, grant_many, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tracker.models import Ticket, Transaction
from tracker.principals import system_user

pytestmark = pytest.mark.django_db

STATUSES = ["new", "open", "stalled", "resolved", "rejected", "deleted"]
ALL_MOVES = list(itertools.permutations(STATUSES, 2))


@pytest.fixture
def queue():
    return make_queue("Helpdesk")


@pytest.fixture
def modifier(queue):
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=user, queue=queue)
    return user


@pytest.fixture
def deleter(queue):
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket", "DeleteTicket"], user=user, queue=queue)
    return user


def ticket_in(queue, status: str) -> Ticket:
    """A ticket brought to `status` by the system."""
    creatable = status in ("new", "open", "resolved")
    ticket = make_ticket(queue=queue, status=status if creatable else "new")
    if not creatable:
        services.set_status(ticket=ticket, status=status, actor=system_user())
    return Ticket.objects.get(pk=ticket.pk)


def age(ticket: Ticket, **dates) -> Ticket:
    """Push the ticket's dates into the past, so a later change is visible."""
    Ticket.objects.filter(pk=ticket.pk).update(**dates)
    return Ticket.objects.get(pk=ticket.pk)


# --- Allowed moves ----------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), ALL_MOVES)
def test_every_status_may_move_to_every_other(queue, deleter, old, new):
    ticket = ticket_in(queue, old)

    services.set_status(ticket=ticket, status=new, actor=deleter)

    assert Ticket.objects.get(pk=ticket.pk).status == new


def test_set_status_returns_the_status_transaction(queue, modifier):
    ticket = ticket_in(queue, "new")

    txn = services.set_status(ticket=ticket, status="open", actor=modifier)

    assert (txn.type, txn.field, txn.old_value, txn.new_value) == (
        "Status",
        "Status",
        "new",
        "open",
    )
    assert txn.ticket_id == ticket.pk


def test_status_name_is_lowercased(queue, modifier):
    ticket = ticket_in(queue, "new")

    services.set_status(ticket=ticket, status=" Open ", actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).status == "open"


# --- Rights -----------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [m for m in ALL_MOVES if m[1] != "deleted"])
def test_modify_ticket_suffices_for_every_move_but_deletion(queue, modifier, old, new):
    ticket = ticket_in(queue, old)

    services.set_status(ticket=ticket, status=new, actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).status == new


@pytest.mark.parametrize("old", ["new", "open", "stalled", "resolved", "rejected"])
def test_deleting_without_delete_ticket_is_refused(queue, modifier, old):
    ticket = ticket_in(queue, old)

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_status(ticket=ticket, status="deleted", actor=modifier)

    assert "DeleteTicket" in excinfo.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == old


def test_delete_ticket_alone_allows_deleting(queue):
    user = make_staff()
    grant("DeleteTicket", user=user, queue=queue)
    ticket = ticket_in(queue, "open")

    services.set_status(ticket=ticket, status="deleted", actor=user)

    assert Ticket.objects.get(pk=ticket.pk).status == "deleted"


def test_delete_ticket_alone_does_not_allow_undeleting(queue):
    user = make_staff()
    grant("DeleteTicket", user=user, queue=queue)
    ticket = ticket_in(queue, "deleted")

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_status(ticket=ticket, status="open", actor=user)

    assert "ModifyTicket" in excinfo.value.message


def test_status_change_without_modify_ticket_is_refused(queue):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=queue)
    ticket = ticket_in(queue, "new")

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_status(ticket=ticket, status="open", actor=viewer)

    assert excinfo.value.message == "Permission denied: you need ModifyTicket for this."
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_modify_ticket_in_another_queue_does_not_help(queue):
    elsewhere = make_staff()
    grant("ModifyTicket", user=elsewhere, queue=make_queue("Elsewhere"))
    ticket = ticket_in(queue, "new")

    with pytest.raises(PermissionDenied):
        services.set_status(ticket=ticket, status="open", actor=elsewhere)


# --- Refused changes --------------------------------------------------------------------


def test_unknown_status_is_refused(queue, modifier):
    ticket = ticket_in(queue, "new")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_status(ticket=ticket, status="pending", actor=modifier)

    assert excinfo.value.message == "'pending' isn't a valid status for this ticket."


def test_status_of_another_lifecycle_is_refused(queue, modifier):
    ticket = ticket_in(queue, "new")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_status(ticket=ticket, status="triage", actor=modifier)

    assert "isn't a valid status" in excinfo.value.message


def test_same_status_is_refused(queue, modifier):
    ticket = ticket_in(queue, "open")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_status(ticket=ticket, status="open", actor=modifier)

    assert excinfo.value.message == "The ticket is already 'open'."
    assert not Transaction.objects.filter(ticket=ticket, type="Status").exists()


# --- Started and Resolved ---------------------------------------------------------------


@pytest.mark.parametrize("new", ["open", "stalled", "resolved", "rejected"])
def test_leaving_new_sets_started(queue, deleter, new):
    ticket = ticket_in(queue, "new")
    assert ticket.started is None
    before = timezone.now()

    services.set_status(ticket=ticket, status=new, actor=deleter)

    assert Ticket.objects.get(pk=ticket.pk).started >= before


def test_started_is_not_changed_by_later_moves(queue, modifier):
    ticket = ticket_in(queue, "new")
    services.set_status(ticket=ticket, status="open", actor=modifier)
    long_ago = timezone.now() - timedelta(days=3)
    ticket = age(ticket, started=long_ago)

    for status in ("stalled", "new", "open", "resolved"):
        services.set_status(ticket=ticket, status=status, actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).started == long_ago


def test_moving_between_active_statuses_does_not_set_started(queue, modifier):
    ticket = ticket_in(queue, "stalled")
    ticket = age(ticket, started=None)

    services.set_status(ticket=ticket, status="open", actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).started is None


@pytest.mark.parametrize("new", ["resolved", "rejected", "deleted"])
def test_entering_an_inactive_status_sets_resolved(queue, deleter, new):
    ticket = ticket_in(queue, "open")
    before = timezone.now()

    services.set_status(ticket=ticket, status=new, actor=deleter)

    assert Ticket.objects.get(pk=ticket.pk).resolved >= before


def test_resolving_again_moves_resolved_to_now(queue, modifier):
    ticket = ticket_in(queue, "resolved")
    services.set_status(ticket=ticket, status="open", actor=modifier)
    long_ago = timezone.now() - timedelta(days=3)
    ticket = age(ticket, resolved=long_ago)

    services.set_status(ticket=ticket, status="resolved", actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).resolved > long_ago + timedelta(days=2)


def test_moving_between_active_statuses_leaves_resolved_alone(queue, modifier):
    ticket = ticket_in(queue, "open")

    services.set_status(ticket=ticket, status="stalled", actor=modifier)

    assert Ticket.objects.get(pk=ticket.pk).resolved is None


# --- Creation ---------------------------------------------------------------------------


def test_ticket_starts_as_new_with_no_started_or_resolved(queue):
    ticket = make_ticket(queue=queue)

    assert (ticket.status, ticket.started, ticket.resolved) == ("new", None, None)


def test_creating_as_open_sets_started(queue):
    ticket = make_ticket(queue=queue, status="open")

    assert ticket.started is not None
    assert ticket.resolved is None


def test_creating_as_resolved_sets_resolved(queue):
    ticket = make_ticket(queue=queue, status="resolved")

    assert ticket.status == "resolved"
    assert ticket.resolved is not None


@pytest.mark.parametrize("status", ["stalled", "rejected", "deleted"])
def test_creating_with_a_status_not_allowed_at_creation_is_refused(queue, status):
    with pytest.raises(InvalidTransition) as excinfo:
        make_ticket(queue=queue, status=status)

    assert excinfo.value.message == (
        f"A new ticket cannot start as '{status}' in queue 'Helpdesk' "
        "(allowed: new, open, resolved)."
    )
    assert not Ticket.objects.filter(queue=queue).exists()
