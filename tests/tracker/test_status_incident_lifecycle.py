"""Status changes through `set_status` in the shipped `incident` lifecycle (rt-semantics 4.5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import grant, grant_many, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tracker.models import Ticket, Transaction
from tracker.principals import system_user

pytestmark = pytest.mark.django_db

# How the system walks a fresh ticket to each status.
PATHS = {
    "new": [],
    "triage": ["triage"],
    "incident": ["triage", "incident"],
    "closing": ["triage", "incident", "closing"],
    "post-incident": ["triage", "incident", "closing", "post-incident"],
    "resolved": ["triage", "resolved"],
    "rejected": ["rejected"],
}
INCIDENT_RIGHTS = ["DeclareIncident", "CloseIncident", "RejectTicket", "ReopenIncident"]


@pytest.fixture
def queue():
    return make_queue("CSIRT", lifecycle="incident")


@pytest.fixture
def modifier(queue):
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=user, queue=queue)
    return user


@pytest.fixture
def handler(queue):
    """Holds ModifyTicket and every right the incident lifecycle declares."""
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket", *INCIDENT_RIGHTS], user=user, queue=queue)
    return user


def ticket_in(queue, status: str) -> Ticket:
    ticket = make_ticket(queue=queue)
    for step in PATHS[status]:
        services.set_status(ticket=ticket, status=step, actor=system_user())
    return Ticket.objects.get(pk=ticket.pk)


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


# --- Moves ModifyTicket allows ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("new", "triage"),
        ("new", "resolved"),
        ("triage", "new"),
        ("triage", "resolved"),
        ("incident", "closing"),
        ("post-incident", "resolved"),
        ("post-incident", "closing"),
    ],
)
def test_modify_ticket_allows_the_ordinary_moves(queue, modifier, old, new):
    ticket = ticket_in(queue, old)

    services.set_status(ticket=ticket, status=new, actor=modifier)

    assert status_of(ticket) == new


# --- Forbidden moves --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("new", "incident"),
        ("new", "closing"),
        ("triage", "closing"),
        ("triage", "post-incident"),
        ("incident", "resolved"),
        ("incident", "rejected"),
        ("incident", "triage"),
        ("incident", "post-incident"),
        ("closing", "resolved"),
        ("closing", "triage"),
        ("post-incident", "incident"),
        ("resolved", "new"),
        ("resolved", "rejected"),
        ("rejected", "resolved"),
        ("rejected", "incident"),
    ],
)
def test_moves_missing_from_the_transitions_are_refused(queue, handler, old, new):
    ticket = ticket_in(queue, old)

    with pytest.raises(InvalidTransition) as excinfo:
        services.set_status(ticket=ticket, status=new, actor=handler)

    assert excinfo.value.message == f"You can't change status from '{old}' to '{new}'."
    assert status_of(ticket) == old


def test_incident_cannot_be_deleted(queue, handler):
    grant("DeleteTicket", user=handler, queue=queue)
    ticket = ticket_in(queue, "triage")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_status(ticket=ticket, status="deleted", actor=handler)

    assert excinfo.value.message == "'deleted' isn't a valid status for this ticket."


def test_status_of_the_default_lifecycle_is_refused(queue, handler):
    ticket = ticket_in(queue, "triage")

    with pytest.raises(ValidationFailed):
        services.set_status(ticket=ticket, status="open", actor=handler)


def test_same_status_is_refused(queue, handler):
    ticket = ticket_in(queue, "incident")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_status(ticket=ticket, status="incident", actor=handler)

    assert excinfo.value.message == "The ticket is already 'incident'."


# --- The forced path --------------------------------------------------------------------


def test_declared_incident_reaches_resolved_only_through_closing_and_review(
    queue, handler
):
    ticket = ticket_in(queue, "triage")

    for status in ("incident", "closing", "post-incident", "resolved"):
        services.set_status(ticket=ticket, status=status, actor=handler)

    moves = list(
        Transaction.objects.filter(ticket=ticket, type="Status")
        .order_by("id")
        .values_list("old_value", "new_value")
    )
    assert moves[-4:] == [
        ("triage", "incident"),
        ("incident", "closing"),
        ("closing", "post-incident"),
        ("post-incident", "resolved"),
    ]


def test_incident_straight_to_resolved_is_refused_even_for_superuser(queue):
    root = make_staff()
    grant("SuperUser", user=root)
    ticket = ticket_in(queue, "incident")

    with pytest.raises(InvalidTransition):
        services.set_status(ticket=ticket, status="resolved", actor=root)


def test_closing_may_go_back_to_incident(queue, handler):
    ticket = ticket_in(queue, "closing")

    services.set_status(ticket=ticket, status="incident", actor=handler)

    assert status_of(ticket) == "incident"


# --- Moves gated by the lifecycle's own rights ------------------------------------------


GATED = [
    ("triage", "incident", "DeclareIncident"),
    ("closing", "post-incident", "CloseIncident"),
    ("closing", "incident", "CloseIncident"),
    ("new", "rejected", "RejectTicket"),
    ("triage", "rejected", "RejectTicket"),
    ("resolved", "triage", "ReopenIncident"),
    ("resolved", "incident", "ReopenIncident"),
    ("rejected", "triage", "ReopenIncident"),
]


@pytest.mark.parametrize(("old", "new", "right"), GATED)
def test_gated_move_with_only_modify_ticket_is_refused(
    queue, modifier, old, new, right
):
    ticket = ticket_in(queue, old)

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_status(ticket=ticket, status=new, actor=modifier)

    assert excinfo.value.message == f"Permission denied: you need {right} for this."
    assert status_of(ticket) == old


@pytest.mark.parametrize(("old", "new", "right"), GATED)
def test_gated_move_needs_only_its_own_right(queue, old, new, right):
    user = make_staff()
    grant(right, user=user, queue=queue)
    ticket = ticket_in(queue, old)

    services.set_status(ticket=ticket, status=new, actor=user)

    assert status_of(ticket) == new


def test_lifecycle_right_granted_on_another_queue_does_not_apply(queue, modifier):
    other = make_queue("Other CSIRT", lifecycle="incident")
    grant("DeclareIncident", user=modifier, queue=other)
    ticket = ticket_in(queue, "triage")

    with pytest.raises(PermissionDenied):
        services.set_status(ticket=ticket, status="incident", actor=modifier)


def test_lifecycle_right_granted_globally_applies(queue, modifier):
    grant("DeclareIncident", user=modifier)
    ticket = ticket_in(queue, "triage")

    services.set_status(ticket=ticket, status="incident", actor=modifier)

    assert status_of(ticket) == "incident"


def test_ordinary_move_without_modify_ticket_is_refused(queue):
    declarer = make_staff()
    grant("DeclareIncident", user=declarer, queue=queue)
    ticket = ticket_in(queue, "new")

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_status(ticket=ticket, status="triage", actor=declarer)

    assert "ModifyTicket" in excinfo.value.message


# --- Started and Resolved ---------------------------------------------------------------


def test_starting_triage_sets_started(queue, handler):
    ticket = ticket_in(queue, "new")
    before = timezone.now()

    services.set_status(ticket=ticket, status="triage", actor=handler)

    assert Ticket.objects.get(pk=ticket.pk).started >= before


def test_started_is_kept_through_the_incident(queue, handler):
    ticket = ticket_in(queue, "triage")
    long_ago = timezone.now() - timedelta(days=5)
    Ticket.objects.filter(pk=ticket.pk).update(started=long_ago)

    for status in ("new", "triage", "incident", "closing"):
        services.set_status(ticket=ticket, status=status, actor=handler)

    assert Ticket.objects.get(pk=ticket.pk).started == long_ago


@pytest.mark.parametrize(
    ("old", "new"), [("post-incident", "resolved"), ("triage", "rejected")]
)
def test_closing_out_sets_resolved(queue, handler, old, new):
    ticket = ticket_in(queue, old)
    Ticket.objects.filter(pk=ticket.pk).update(resolved=None)
    before = timezone.now()

    services.set_status(ticket=ticket, status=new, actor=handler)

    assert Ticket.objects.get(pk=ticket.pk).resolved >= before


def test_active_moves_do_not_set_resolved(queue, handler):
    ticket = ticket_in(queue, "incident")

    services.set_status(ticket=ticket, status="closing", actor=handler)

    assert Ticket.objects.get(pk=ticket.pk).resolved is None


# --- Creation ---------------------------------------------------------------------------


def test_incident_ticket_starts_as_new(queue):
    ticket = make_ticket(queue=queue)

    assert (ticket.status, ticket.started) == ("new", None)


def test_creating_in_triage_sets_started(queue):
    ticket = make_ticket(queue=queue, status="triage")

    assert ticket.started is not None


@pytest.mark.parametrize(
    "status", ["incident", "closing", "post-incident", "resolved", "rejected"]
)
def test_creating_past_triage_is_refused(queue, status):
    with pytest.raises(InvalidTransition) as excinfo:
        make_ticket(queue=queue, status=status)

    assert excinfo.value.message == (
        f"A new ticket cannot start as '{status}' in queue 'CSIRT' "
        "(allowed: new, triage)."
    )
