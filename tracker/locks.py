"""Row locks for read-modify-write services.

On PostgreSQL `select_for_update` takes a row lock; on SQLite the connection opens
IMMEDIATE transactions (see settings), which serialises writers on the whole file.
"""

from __future__ import annotations

from django.db import transaction

from tracker.errors import Conflict, NotFound
from tracker.models import Ticket


def lock_ticket(ticket_or_id: Ticket | int) -> Ticket:
    """Reload the ticket under a row lock. Must run inside an atomic block."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_ticket() must be called inside transaction.atomic().")
    pk = ticket_or_id.pk if isinstance(ticket_or_id, Ticket) else ticket_or_id
    # Lock with a join-free query first: PostgreSQL re-checks a locked row's join
    # conditions against the old joined rows after waiting, so a concurrent owner change
    # would make a joined FOR UPDATE find nothing. Then read the row we now hold.
    if not list(Ticket.objects.select_for_update().filter(pk=pk).values_list("pk")):
        raise NotFound(f"Ticket {pk} does not exist.")
    locked = Ticket.objects.select_related("queue__lifecycle", "owner").get(pk=pk)
    if locked.merged_into_id:
        # Callers resolve numbers through queries.get_ticket_for; a merged ticket reaching a
        # service means a stale object, and changing it would fork the history.
        raise Conflict(f"Ticket {pk} was merged into #{locked.merged_into_id}.")
    if not isinstance(ticket_or_id, Ticket):
        return locked
    # Refresh the caller's instance in place, so it sees the locked row and the changes.
    for field in Ticket._meta.concrete_fields:
        setattr(ticket_or_id, field.attname, getattr(locked, field.attname))
    ticket_or_id._state.fields_cache = locked._state.fields_cache
    return ticket_or_id


def lock_tickets(ids: list[int]) -> dict[int, Ticket]:
    """Lock several tickets in id order, so two services never deadlock on each other."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_tickets() must be called inside transaction.atomic().")
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    }
    missing = set(ids) - set(locked)
    if missing:
        raise NotFound(f"Ticket {min(missing)} does not exist.")
    return locked
