"""Status changes along the queue's lifecycle (rt-semantics 4.2)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lifecycles import registry
from tracker import rights
from tracker.errors import InvalidTransition, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import Link, LinkType, Ticket, Transaction, TransactionType, User
from tracker.services.tickets import lifecycle_of


def unresolved_dependencies(ticket: Ticket) -> list[Ticket]:
    """Local DependsOn targets that are not yet in an inactive status."""
    targets = Ticket.objects.filter(
        pk__in=Link.objects.filter(
            base=ticket, type=LinkType.DEPENDS_ON, target__isnull=False
        ).values("target_id")
    ).select_related("queue__lifecycle")
    return [
        t
        for t in targets
        if not registry.get_lifecycle(t.queue.lifecycle.name).is_inactive(t.status)
    ]


@transaction.atomic
def set_status(
    *, ticket: Ticket, status: str, actor: User, force: bool = False
) -> Transaction:
    """Move the ticket to `status` if the lifecycle allows it and the actor has the right.

    `force` skips only the unresolved-dependency check (used by internal moves).
    Sets Started on the first move out of an initial status and Resolved on entering
    an inactive one, then writes one Status transaction.
    """
    ticket = lock_ticket(ticket)
    lifecycle = lifecycle_of(ticket)
    new = (status or "").strip().lower()
    old = ticket.status
    if not lifecycle.is_valid(new):
        raise ValidationFailed(f"'{status}' isn't a valid status for this ticket.")
    if new == old:
        raise ValidationFailed(f"The ticket is already '{old}'.")
    if not lifecycle.can_transition(old, new):
        raise InvalidTransition(f"You can't change status from '{old}' to '{new}'.")
    rights.require(actor, lifecycle.required_right(old, new), ticket)
    if (
        not force
        and lifecycle.is_inactive(new)
        and not lifecycle.is_inactive(old)
        and unresolved_dependencies(ticket)
    ):
        numbers = ", ".join(f"#{t.pk}" for t in unresolved_dependencies(ticket))
        raise InvalidTransition(f"That ticket has unresolved dependencies ({numbers}).")
    now = timezone.now()
    ticket.status = new
    update = ["status"]
    if (
        lifecycle.is_initial(old)
        and not lifecycle.is_initial(new)
        and ticket.started is None
    ):
        ticket.started = now
        update.append("started")
    if lifecycle.is_inactive(new):
        ticket.resolved = now
        update.append("resolved")
    ticket.save(update_fields=update)
    return record_transaction(
        ticket=ticket,
        type=TransactionType.STATUS,
        actor=actor,
        field="Status",
        old=old,
        new=new,
    )
