"""Owner changes with RT's rules (rt-semantics 5.4)."""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction

from tracker import rights
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import Ticket, Transaction, TransactionType, User
from tracker.principals import nobody


class OwnerVerb(StrEnum):
    SET = "set"
    TAKE = "take"
    UNTAKE = "untake"
    STEAL = "steal"


def _any(actor: User, ticket: Ticket, *names: str) -> bool:
    return any(rights.has_right(actor, name, ticket) for name in names)


def check_owner_change(
    *, actor: User, ticket: Ticket, old: User, new: User, verb: OwnerVerb
) -> None:
    """Raise unless `actor` may move ownership from `old` to `new` with `verb`."""
    if verb == OwnerVerb.SET and rights.has_right(
        actor, rights.REASSIGN_TICKET, ticket
    ):
        return
    modify, reassign = rights.MODIFY_TICKET, rights.REASSIGN_TICKET
    if old.is_nobody:
        if verb == OwnerVerb.STEAL:
            raise ValidationFailed("You can only steal a ticket owned by someone else.")
        if verb == OwnerVerb.UNTAKE:
            raise ValidationFailed("You can only untake tickets you own.")
        if new.pk == actor.pk:
            if not _any(actor, ticket, modify, reassign, rights.TAKE_TICKET):
                raise PermissionDenied(
                    "Permission denied: you may not take this ticket."
                )
        elif not _any(actor, ticket, modify, reassign):
            raise PermissionDenied(
                "Permission denied: you may not give this ticket away."
            )
        return
    if old.pk != actor.pk:
        if not _any(actor, ticket, modify, reassign, rights.STEAL_TICKET):
            raise PermissionDenied(
                "Permission denied: this ticket belongs to someone else."
            )
        if verb == OwnerVerb.UNTAKE:
            raise ValidationFailed("You can only untake tickets you own.")
        if verb == OwnerVerb.STEAL:
            if not _any(actor, ticket, rights.STEAL_TICKET, modify):
                raise PermissionDenied(
                    "Permission denied: you may not steal this ticket."
                )
            return
        if verb == OwnerVerb.TAKE or new.pk == actor.pk:
            raise ValidationFailed(
                "You can only take tickets that are unowned; steal it to take it over."
            )
        raise PermissionDenied(
            "Permission denied: you can only reassign tickets that you own or that are unowned."
        )
    if verb in (OwnerVerb.TAKE, OwnerVerb.STEAL):
        raise ValidationFailed("You already own this ticket.")
    if not _any(actor, ticket, modify, reassign):
        raise PermissionDenied(
            "Permission denied: you may not change the owner of this ticket."
        )


@transaction.atomic
def set_owner(
    *,
    ticket: Ticket,
    owner: User,
    actor: User,
    verb: OwnerVerb = OwnerVerb.SET,
    force: bool = False,
) -> Transaction:
    """Change the owner; writes one Set transaction on Field=Owner (old/new user ids).

    The new owner must hold OwnTicket. `force` skips the actor's checks (internal moves).
    """
    ticket = lock_ticket(ticket)
    old = ticket.owner
    if owner.pk == old.pk:
        raise ValidationFailed(f"{owner} already owns this ticket.")
    if not owner.is_active:
        raise ValidationFailed(f"{owner} is disabled.")
    if not owner.is_nobody and not rights.has_right(owner, rights.OWN_TICKET, ticket):
        raise ValidationFailed(
            f"{owner} may not own tickets in queue '{ticket.queue.name}'."
        )
    if not force:
        check_owner_change(actor=actor, ticket=ticket, old=old, new=owner, verb=verb)
    ticket.owner = owner
    ticket.save(update_fields=["owner"])
    return record_transaction(
        ticket=ticket,
        type=TransactionType.SET,
        actor=actor,
        field="Owner",
        old=old.pk,
        new=owner.pk,
        data={"verb": str(verb)},
    )


def take(*, ticket: Ticket, actor: User) -> Transaction:
    return set_owner(ticket=ticket, owner=actor, actor=actor, verb=OwnerVerb.TAKE)


def untake(*, ticket: Ticket, actor: User) -> Transaction:
    return set_owner(ticket=ticket, owner=nobody(), actor=actor, verb=OwnerVerb.UNTAKE)


def steal(*, ticket: Ticket, actor: User) -> Transaction:
    return set_owner(ticket=ticket, owner=actor, actor=actor, verb=OwnerVerb.STEAL)


def give(*, ticket: Ticket, owner: User, actor: User) -> Transaction:
    return set_owner(ticket=ticket, owner=owner, actor=actor, verb=OwnerVerb.SET)
