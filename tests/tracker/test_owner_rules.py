"""Who may set which owner, with RT's take / untake / steal / give rules (rt-semantics 5.4)."""

from __future__ import annotations

import pytest

from tests.factories import grant, grant_many, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.models import Ticket, Transaction
from tracker.principals import nobody, system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return make_queue("Helpdesk")


def staff_with(queue, *rights: str):
    """A staff member who may own tickets in the queue, plus the given rights."""
    user = make_staff()
    grant_many(["ShowTicket", "OwnTicket", *rights], user=user, queue=queue)
    return user


@pytest.fixture
def bob(queue):
    return staff_with(queue)


@pytest.fixture
def carol(queue):
    return staff_with(queue)


@pytest.fixture
def unowned(queue):
    return make_ticket(queue=queue)


@pytest.fixture
def bobs(queue, bob):
    return make_ticket(queue=queue, owner=bob)


def owner_of(ticket: Ticket):
    return Ticket.objects.get(pk=ticket.pk).owner


def owner_changes(ticket: Ticket) -> int:
    return Transaction.objects.filter(ticket=ticket, field="Owner").count()


# --- Take -------------------------------------------------------------------------------


def test_take_unowned_ticket_with_take_ticket(queue, unowned):
    alice = staff_with(queue, "TakeTicket")

    services.take(ticket=unowned, actor=alice)

    assert owner_of(unowned) == alice


def test_take_unowned_ticket_without_take_ticket_is_refused(queue, unowned):
    alice = staff_with(queue)

    with pytest.raises(PermissionDenied) as excinfo:
        services.take(ticket=unowned, actor=alice)

    assert excinfo.value.message == "Permission denied: you may not take this ticket."
    assert owner_of(unowned) == nobody()


def test_take_with_modify_ticket_instead_of_take_ticket(queue, unowned):
    alice = staff_with(queue, "ModifyTicket")

    services.take(ticket=unowned, actor=alice)

    assert owner_of(unowned) == alice


def test_take_ticket_owned_by_someone_else_is_refused(queue, bobs, bob):
    alice = staff_with(queue, "TakeTicket", "StealTicket")

    with pytest.raises(ValidationFailed) as excinfo:
        services.take(ticket=bobs, actor=alice)

    assert "only take tickets that are unowned" in excinfo.value.message
    assert owner_of(bobs) == bob


def test_take_ticket_owned_by_someone_else_with_take_ticket_only_is_denied(
    queue, bobs, bob
):
    alice = staff_with(queue, "TakeTicket")

    with pytest.raises(PermissionDenied) as excinfo:
        services.take(ticket=bobs, actor=alice)

    assert excinfo.value.message == (
        "Permission denied: this ticket belongs to someone else."
    )
    assert owner_of(bobs) == bob


def test_take_own_ticket_is_refused(queue, bobs, bob):
    grant("TakeTicket", user=bob, queue=queue)

    with pytest.raises(ValidationFailed) as excinfo:
        services.take(ticket=bobs, actor=bob)

    assert excinfo.value.message == f"{bob} already owns this ticket."


def test_new_owner_needs_own_ticket_even_to_take(queue, unowned):
    alice = make_staff()
    grant_many(["ShowTicket", "TakeTicket"], user=alice, queue=queue)

    with pytest.raises(ValidationFailed) as excinfo:
        services.take(ticket=unowned, actor=alice)

    assert excinfo.value.message == f"{alice} may not own tickets in queue 'Helpdesk'."


# --- Steal ------------------------------------------------------------------------------


def test_steal_with_steal_ticket(queue, bobs):
    alice = staff_with(queue, "StealTicket")

    services.steal(ticket=bobs, actor=alice)

    assert owner_of(bobs) == alice


def test_steal_without_steal_ticket_is_denied(queue, bobs, bob):
    alice = staff_with(queue, "TakeTicket")

    with pytest.raises(PermissionDenied):
        services.steal(ticket=bobs, actor=alice)

    assert owner_of(bobs) == bob


def test_steal_unowned_ticket_is_refused(queue, unowned):
    alice = staff_with(queue, "StealTicket", "TakeTicket")

    with pytest.raises(ValidationFailed) as excinfo:
        services.steal(ticket=unowned, actor=alice)

    assert excinfo.value.message == (
        "You can only steal a ticket owned by someone else."
    )
    assert owner_of(unowned) == nobody()


def test_steal_own_ticket_is_refused(queue, bobs, bob):
    grant("StealTicket", user=bob, queue=queue)

    with pytest.raises(ValidationFailed):
        services.steal(ticket=bobs, actor=bob)


def test_steal_is_recorded_as_an_owner_change_from_the_old_owner(queue, bobs, bob):
    alice = staff_with(queue, "StealTicket")

    txn = services.steal(ticket=bobs, actor=alice)

    assert (txn.field, txn.old_value, txn.new_value) == (
        "Owner",
        str(bob.pk),
        str(alice.pk),
    )
    assert txn.data == {"verb": "steal"}


# --- Untake -----------------------------------------------------------------------------


def test_untake_own_ticket(queue, bobs, bob):
    grant("ModifyTicket", user=bob, queue=queue)

    services.untake(ticket=bobs, actor=bob)

    assert owner_of(bobs) == nobody()


def test_untake_own_ticket_without_modify_or_reassign_is_denied(queue, bobs, bob):
    grant("TakeTicket", user=bob, queue=queue)

    with pytest.raises(PermissionDenied):
        services.untake(ticket=bobs, actor=bob)

    assert owner_of(bobs) == bob


def test_untake_ticket_owned_by_someone_else_is_refused(queue, bobs, bob):
    alice = staff_with(queue, "ModifyTicket", "StealTicket")

    with pytest.raises(ValidationFailed) as excinfo:
        services.untake(ticket=bobs, actor=alice)

    assert excinfo.value.message == "You can only untake tickets you own."
    assert owner_of(bobs) == bob


def test_untake_unowned_ticket_is_refused(queue, unowned):
    alice = staff_with(queue, "ModifyTicket")

    with pytest.raises(ValidationFailed):
        services.untake(ticket=unowned, actor=alice)

    assert owner_changes(unowned) == 0


# --- Give -------------------------------------------------------------------------------


@pytest.mark.parametrize("right", ["ModifyTicket", "ReassignTicket"])
def test_give_unowned_ticket_to_someone_else(queue, unowned, carol, right):
    alice = staff_with(queue, right)

    services.give(ticket=unowned, owner=carol, actor=alice)

    assert owner_of(unowned) == carol


def test_give_unowned_ticket_with_take_ticket_only_is_denied(queue, unowned, carol):
    alice = staff_with(queue, "TakeTicket")

    with pytest.raises(PermissionDenied) as excinfo:
        services.give(ticket=unowned, owner=carol, actor=alice)

    assert excinfo.value.message == (
        "Permission denied: you may not give this ticket away."
    )
    assert owner_of(unowned) == nobody()


@pytest.mark.parametrize("right", ["ModifyTicket", "ReassignTicket"])
def test_give_own_ticket_to_someone_else(queue, carol, right):
    alice = staff_with(queue, right)
    mine = make_ticket(queue=queue, owner=alice)

    services.give(ticket=mine, owner=carol, actor=alice)

    assert owner_of(mine) == carol


def test_give_own_ticket_without_modify_or_reassign_is_denied(queue, carol):
    alice = staff_with(queue, "TakeTicket")
    mine = make_ticket(queue=queue, owner=alice)

    with pytest.raises(PermissionDenied):
        services.give(ticket=mine, owner=carol, actor=alice)

    assert owner_of(mine) == alice


def test_give_someone_elses_ticket_to_a_third_person_needs_reassign_ticket(
    queue, bobs, bob, carol
):
    alice = staff_with(queue, "ModifyTicket", "StealTicket")

    with pytest.raises(PermissionDenied) as excinfo:
        services.give(ticket=bobs, owner=carol, actor=alice)

    assert "reassign" in excinfo.value.message
    assert owner_of(bobs) == bob


def test_reassign_ticket_gives_someone_elses_ticket_to_a_third_person(
    queue, bobs, carol
):
    alice = staff_with(queue, "ReassignTicket")

    services.give(ticket=bobs, owner=carol, actor=alice)

    assert owner_of(bobs) == carol


def test_reassign_ticket_may_unown_someone_elses_ticket(queue, bobs):
    alice = staff_with(queue, "ReassignTicket")

    services.give(ticket=bobs, owner=nobody(), actor=alice)

    assert owner_of(bobs) == nobody()


# --- Rules on the new owner -------------------------------------------------------------


def test_new_owner_must_hold_own_ticket(queue, unowned):
    alice = staff_with(queue, "ReassignTicket")
    outsider = make_staff()
    grant("ShowTicket", user=outsider, queue=queue)

    with pytest.raises(ValidationFailed) as excinfo:
        services.give(ticket=unowned, owner=outsider, actor=alice)

    assert excinfo.value.message == (
        f"{outsider} may not own tickets in queue 'Helpdesk'."
    )


def test_own_ticket_in_another_queue_does_not_qualify(queue, unowned):
    alice = staff_with(queue, "ReassignTicket")
    elsewhere = make_staff()
    grant("OwnTicket", user=elsewhere, queue=make_queue("Elsewhere"))

    with pytest.raises(ValidationFailed):
        services.give(ticket=unowned, owner=elsewhere, actor=alice)


def test_same_owner_again_is_refused(queue, bobs, bob):
    alice = staff_with(queue, "ReassignTicket")

    with pytest.raises(ValidationFailed) as excinfo:
        services.give(ticket=bobs, owner=bob, actor=alice)

    assert excinfo.value.message == f"{bob} already owns this ticket."
    assert owner_changes(bobs) == 0


def test_disabled_user_cannot_become_owner(queue, unowned):
    alice = staff_with(queue, "ReassignTicket")
    gone = staff_with(queue)
    gone.is_active = False
    gone.save()

    with pytest.raises(ValidationFailed) as excinfo:
        services.give(ticket=unowned, owner=gone, actor=alice)

    assert excinfo.value.message == f"{gone} is disabled."
    assert owner_of(unowned) == nobody()


def test_system_may_set_any_qualified_owner(queue, bobs, carol):
    services.give(ticket=bobs, owner=carol, actor=system_user())

    assert owner_of(bobs) == carol
