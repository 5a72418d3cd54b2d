"""record_transaction(): the only writer of Transaction rows."""

from __future__ import annotations

from typing import Any

from django.db import transaction as db_transaction
from django.utils import timezone

from tracker import rights
from tracker.models import ObjectType, Ticket, Transaction, TransactionType, User
from tracker.signals import transaction_committed


def _announce(transaction_id: int) -> None:
    transaction_committed.send(sender=Transaction, transaction_id=transaction_id)


def record_transaction(
    *,
    ticket: Ticket | None,
    type: TransactionType,
    actor: User,
    field: str = "",
    old: object = "",
    new: object = "",
    old_reference: int | None = None,
    new_reference: int | None = None,
    data: dict[str, Any] | None = None,
    time_taken: int = 0,
    object_type: ObjectType = ObjectType.TICKET,
    object_id: int | None = None,
    touch_ticket: bool = True,
) -> Transaction:
    """Append one history entry inside the caller's atomic block.

    Side effects: bumps the ticket's LastUpdated/LastUpdatedBy (unless `touch_ticket`
    is False), and after commit sends `transaction_committed` so scrips run exactly once
    per committed change.
    """
    if not db_transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_transaction() must run inside transaction.atomic().")
    if ticket is not None and object_id is None:
        object_id = ticket.pk
    if object_id is None:
        object_id = 0
    now = timezone.now()
    txn = Transaction.objects.create(
        ticket=ticket,
        object_type=object_type,
        object_id=object_id,
        type=type,
        field=field,
        old_value=_raw(old),
        new_value=_raw(new),
        old_reference=old_reference,
        new_reference=new_reference,
        data=data or {},
        time_taken=time_taken,
        creator=actor,
        created=now,
    )
    if ticket is not None and touch_ticket:
        ticket.last_updated = now
        ticket.last_updated_by = actor
        Ticket.objects.filter(pk=ticket.pk).update(
            last_updated=now, last_updated_by=actor
        )
    rights.invalidate_cached_grants()
    # A named callable: Django's robust on_commit logs a failure by `__qualname__`,
    # which a functools.partial lacks.
    txn_id = txn.pk

    def announce() -> None:
        _announce(txn_id)

    db_transaction.on_commit(announce, robust=True)
    return txn


def _raw(value: object) -> str:
    """Store raw keys: ids for objects, ISO strings for dates, '' for None."""
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
