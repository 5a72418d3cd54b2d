"""Watchers: Requestor, Cc and AdminCc on tickets; Cc and AdminCc on queues."""

from __future__ import annotations

from django.db import transaction

from queues.models import Queue
from tracker import rights
from tracker.errors import NotFound, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import (
    QUEUE_WATCHER_ROLES,
    WATCHER_ROLES,
    ObjectType,
    QueueWatcher,
    Ticket,
    TicketWatcher,
    Transaction,
    TransactionType,
    User,
)
from tracker.services.principals import Principal, resolve_principal


def _principal_lookup(principal: Principal) -> dict:
    return {"user": principal} if isinstance(principal, User) else {"group": principal}


def _principal_data(principal: Principal) -> dict:
    return {"principal_type": "user" if isinstance(principal, User) else "group"}


def _check_role(role: str, allowed: tuple) -> str:
    if role not in allowed:
        names = ", ".join(str(r) for r in allowed)
        raise ValidationFailed(
            f"'{role}' is not a watcher role here (use one of {names})."
        )
    return role


def _require_watch_right(
    actor: User, ticket: Ticket, role: str, principal: Principal
) -> None:
    if principal == actor:
        self_right = rights.WATCH_AS_ADMIN_CC if role == "AdminCc" else rights.WATCH
        rights.require(actor, self_right, ticket, rights.MODIFY_TICKET)
    else:
        rights.require(actor, rights.MODIFY_TICKET, ticket)


@transaction.atomic
def add_watcher(
    *, ticket: Ticket, role: str, principal: Principal | str, actor: User
) -> Transaction:
    """Add a user or group to a ticket role; one AddWatcher transaction.

    Adding oneself needs Watch (Requestor, Cc) or WatchAsAdminCc; anyone else, ModifyTicket.
    An unknown email address becomes a new unprivileged user.
    """
    role = _check_role(role, WATCHER_ROLES)
    ticket = lock_ticket(ticket)
    principal = resolve_principal(principal)
    _require_watch_right(actor, ticket, role, principal)
    _, created = TicketWatcher.objects.get_or_create(
        ticket=ticket, role=role, **_principal_lookup(principal)
    )
    if not created:
        raise ValidationFailed(f"{principal} is already a {role} of this ticket.")
    return record_transaction(
        ticket=ticket,
        type=TransactionType.ADD_WATCHER,
        actor=actor,
        field=role,
        new=principal.pk,
        data=_principal_data(principal),
    )


@transaction.atomic
def remove_watcher(
    *, ticket: Ticket, role: str, principal: Principal | str, actor: User
) -> Transaction:
    """Remove a user or group from a ticket role; one DelWatcher transaction."""
    role = _check_role(role, WATCHER_ROLES)
    ticket = lock_ticket(ticket)
    principal = resolve_principal(principal, create=False)
    _require_watch_right(actor, ticket, role, principal)
    deleted, _ = TicketWatcher.objects.filter(
        ticket=ticket, role=role, **_principal_lookup(principal)
    ).delete()
    if not deleted:
        raise NotFound(f"{principal} is not a {role} of this ticket.")
    return record_transaction(
        ticket=ticket,
        type=TransactionType.DEL_WATCHER,
        actor=actor,
        field=role,
        old=principal.pk,
        data=_principal_data(principal),
    )


@transaction.atomic
def add_queue_watcher(
    *, queue: Queue, role: str, principal: Principal | str, actor: User
) -> Transaction:
    """Make a user or group watch every ticket of the queue (Cc or AdminCc)."""
    role = _check_role(role, QUEUE_WATCHER_ROLES)
    rights.require(actor, rights.MODIFY_QUEUE_WATCHERS, queue, rights.ADMIN_QUEUE)
    principal = resolve_principal(principal)
    _, created = QueueWatcher.objects.get_or_create(
        queue=queue, role=role, **_principal_lookup(principal)
    )
    if not created:
        raise ValidationFailed(
            f"{principal} is already a {role} of queue '{queue.name}'."
        )
    return record_transaction(
        ticket=None,
        type=TransactionType.ADD_WATCHER,
        actor=actor,
        field=role,
        new=principal.pk,
        data=_principal_data(principal),
        object_type=ObjectType.QUEUE,
        object_id=queue.pk,
    )


@transaction.atomic
def remove_queue_watcher(
    *, queue: Queue, role: str, principal: Principal | str, actor: User
) -> Transaction:
    role = _check_role(role, QUEUE_WATCHER_ROLES)
    rights.require(actor, rights.MODIFY_QUEUE_WATCHERS, queue, rights.ADMIN_QUEUE)
    principal = resolve_principal(principal, create=False)
    deleted, _ = QueueWatcher.objects.filter(
        queue=queue, role=role, **_principal_lookup(principal)
    ).delete()
    if not deleted:
        raise NotFound(f"{principal} is not a {role} of queue '{queue.name}'.")
    return record_transaction(
        ticket=None,
        type=TransactionType.DEL_WATCHER,
        actor=actor,
        field=role,
        old=principal.pk,
        data=_principal_data(principal),
        object_type=ObjectType.QUEUE,
        object_id=queue.pk,
    )
