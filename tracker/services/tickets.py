"""Creating tickets and changing their basic fields and queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

from django.db import transaction
from django.utils import timezone

from lifecycles import registry
from lifecycles.engine import Lifecycle
from queues.models import Queue
from tracker import rights
from tracker.errors import InvalidTransition, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import (
    NO_SUBJECT,
    CustomField,
    Role,
    Ticket,
    TicketType,
    TicketWatcher,
    TransactionType,
    User,
)
from tracker.principals import nobody
from tracker.services.attachments import (
    Upload,
    check_upload_sizes,
    store_message,
    store_mime,
)
from tracker.services.customfields import initial_custom_field_values
from tracker.services.principals import Principal, resolve_principal

CustomFieldInput = Mapping[CustomField | str | int, str | Sequence[str]]


def lifecycle_of(ticket: Ticket) -> Lifecycle:
    return registry.get_lifecycle(ticket.queue.lifecycle.name)


def lifecycle_of_queue(queue: Queue) -> Lifecycle:
    return registry.get_lifecycle(queue.lifecycle.name)


@transaction.atomic
def create_ticket(
    *,
    queue: Queue,
    actor: User,
    subject: str = "",
    body: str = "",
    content_type: str = "text/plain",
    requestors: Iterable[Principal | str] = (),
    cc: Iterable[Principal | str] = (),
    admin_cc: Iterable[Principal | str] = (),
    owner: User | None = None,
    status: str | None = None,
    priority: int | None = None,
    initial_priority: int | None = None,
    final_priority: int | None = None,
    time_estimated: int = 0,
    time_worked: int = 0,
    time_left: int = 0,
    starts: datetime | None = None,
    due: datetime | None = None,
    uploads: Sequence[Upload] = (),
    mime: Message | None = None,
    message_id: str = "",
    custom_fields: CustomFieldInput | None = None,
    ticket_type: TicketType = TicketType.TICKET,
) -> Ticket:
    """Create a ticket with its watchers, custom field values and first message.

    Writes one Create transaction (its time taken = the initial time worked) carrying
    the message; watchers and initial values are part of the creation, as in RT.
    Side effects: after commit, scrips hear of the Create transaction.
    """
    rights.require(actor, rights.CREATE_TICKET, queue)
    if not queue.is_active:
        raise ValidationFailed(f"Queue '{queue.name}' is disabled.")
    check_upload_sizes(uploads)
    lifecycle = lifecycle_of_queue(queue)
    status = (status or lifecycle.default_create_status()).strip().lower()
    if status not in lifecycle.creatable_statuses():
        allowed = ", ".join(lifecycle.creatable_statuses())
        raise InvalidTransition(
            f"A new ticket cannot start as '{status}' in queue '{queue.name}' (allowed: {allowed})."
        )
    _check_minutes(
        time_estimated=time_estimated, time_worked=time_worked, time_left=time_left
    )
    owner = owner or nobody()
    if not owner.is_nobody and not rights.has_right(owner, rights.OWN_TICKET, queue):
        raise ValidationFailed(f"{owner} may not own tickets in queue '{queue.name}'.")
    if not owner.is_nobody and owner.pk != actor.pk:
        rights.require(actor, rights.MODIFY_TICKET, queue, rights.REASSIGN_TICKET)

    now = timezone.now()
    initial = queue.initial_priority if initial_priority is None else initial_priority
    if due is None and queue.default_due_days:
        due = now + timedelta(days=queue.default_due_days)
    ticket = Ticket.objects.create(
        type=ticket_type,
        queue=queue,
        subject=_clean_subject(subject),
        status=status,
        owner=owner,
        initial_priority=initial,
        priority=initial if priority is None else priority,
        final_priority=queue.final_priority
        if final_priority is None
        else final_priority,
        time_estimated=time_estimated,
        time_worked=time_worked,
        time_left=time_left,
        starts=starts,
        due=due,
        started=None if lifecycle.is_initial(status) else now,
        resolved=now if lifecycle.is_inactive(status) else None,
        created=now,
        creator=actor,
        last_updated=now,
        last_updated_by=actor,
    )
    _add_first_watchers(
        ticket,
        (
            (Role.REQUESTOR, requestors),
            (Role.CC, cc),
            (Role.ADMIN_CC, admin_cc),
        ),
    )
    if custom_fields:
        initial_custom_field_values(ticket=ticket, actor=actor, values=custom_fields)
    txn = record_transaction(
        ticket=ticket,
        type=TransactionType.CREATE,
        actor=actor,
        time_taken=time_worked,
        touch_ticket=False,
    )
    if mime is not None:
        store_mime(txn=txn, actor=actor, message=mime)
    else:
        store_message(
            txn=txn,
            actor=actor,
            subject=ticket.subject,
            body=body,
            content_type=content_type,
            uploads=uploads,
            message_id=message_id,
        )
    return ticket


def _add_first_watchers(
    ticket: Ticket, roles: Iterable[tuple[str, Iterable[Principal | str]]]
) -> None:
    """The watchers of a ticket being created, in one INSERT (without history).

    The ticket is new, so only repeats within the lists can collide; they are dropped
    here instead of asking the database about each row.
    """
    rows: dict[tuple[str, str, int], TicketWatcher] = {}
    for role, principals in roles:
        for value in principals:
            principal = resolve_principal(value)
            if isinstance(principal, User):
                key, row = (role, "user", principal.pk), TicketWatcher(user=principal)
            else:
                key, row = (role, "group", principal.pk), TicketWatcher(group=principal)
            if key not in rows:
                row.ticket, row.role = ticket, role
                rows[key] = row
    if rows:
        TicketWatcher.objects.bulk_create(rows.values())


def _add_watcher_row(ticket: Ticket, role: str, principal: Principal) -> bool:
    """Add without history (creation, merge). Returns False when already there."""
    lookup = (
        {"user": principal} if isinstance(principal, User) else {"group": principal}
    )
    _, created = TicketWatcher.objects.get_or_create(ticket=ticket, role=role, **lookup)
    return created


def _clean_subject(subject: str) -> str:
    # CR/LF in a subject would become header injection when the subject is mailed out.
    text = " ".join((subject or "").split())
    return text[:200] or NO_SUBJECT


def _check_minutes(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or value < 0:
            raise ValidationFailed(
                f"{name.replace('_', ' ')} must be a whole number of minutes ≥ 0."
            )


# Fields changed with a Set transaction; Told has its own transaction type.
EDITABLE_FIELDS: dict[str, str] = {
    "subject": "Subject",
    "priority": "Priority",
    "initial_priority": "InitialPriority",
    "final_priority": "FinalPriority",
    "time_estimated": "TimeEstimated",
    "time_worked": "TimeWorked",
    "time_left": "TimeLeft",
    "starts": "Starts",
    "started": "Started",
    "due": "Due",
    "resolved": "Resolved",
    "told": "Told",
}
_INT_FIELDS = {
    "priority",
    "initial_priority",
    "final_priority",
    "time_estimated",
    "time_worked",
    "time_left",
}
_MINUTE_FIELDS = {"time_estimated", "time_worked", "time_left"}


@transaction.atomic
def set_fields(*, ticket: Ticket, actor: User, **changes: Any) -> list[Any]:
    """Change basic fields; one Set (or Told) transaction per field that really changes.

    Changing TimeWorked records the difference as the transaction's time taken.
    Returns the transactions written (empty when nothing changed).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown or read-only field(s): {', '.join(sorted(unknown))}."
        )
    ticket = lock_ticket(ticket)
    rights.require(actor, rights.MODIFY_TICKET, ticket)
    cleaned = {name: _clean_field(name, value) for name, value in changes.items()}
    written = []
    for name, new in cleaned.items():
        old = getattr(ticket, name)
        if old == new:
            continue
        setattr(ticket, name, new)
        ticket.save(update_fields=[name])
        if name == "told":
            txn_type, field = TransactionType.TOLD, "Told"
        else:
            txn_type, field = TransactionType.SET, EDITABLE_FIELDS[name]
        taken = (new - old) if name == "time_worked" else 0
        written.append(
            record_transaction(
                ticket=ticket,
                type=txn_type,
                actor=actor,
                field=field,
                old=old,
                new=new,
                time_taken=taken,
            )
        )
    return written


def _clean_field(name: str, value: Any) -> Any:
    if name == "subject":
        return _clean_subject(str(value))
    if name in _INT_FIELDS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationFailed(
                f"{EDITABLE_FIELDS[name]} must be a whole number."
            ) from None
        if name in _MINUTE_FIELDS and number < 0:
            raise ValidationFailed(f"{EDITABLE_FIELDS[name]} cannot be negative.")
        return number
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{EDITABLE_FIELDS[name]} must be a date and time.")
    if timezone.is_naive(value):
        raise ValidationFailed(f"{EDITABLE_FIELDS[name]} needs a time zone.")
    return value


@transaction.atomic
def add_time_worked(*, ticket: Ticket, minutes: int, actor: User) -> list[Any]:
    """Record time spent: TimeWorked grows by `minutes` (a Set txn with that time taken)."""
    if not isinstance(minutes, int) or minutes <= 0:
        raise ValidationFailed("Time worked must be a positive number of minutes.")
    locked = lock_ticket(ticket)
    return set_fields(
        ticket=locked, actor=actor, time_worked=locked.time_worked + minutes
    )


@transaction.atomic
def move_ticket(*, ticket: Ticket, queue: Queue, actor: User) -> list[Any]:
    """Move to another queue, translating the status through the lifecycles' map.

    Needs ModifyTicket on the ticket and CreateTicket on the target queue. If the owner
    may not own tickets in the new queue, the ticket becomes unowned.
    """
    ticket = lock_ticket(ticket)
    rights.require(actor, rights.MODIFY_TICKET, ticket)
    rights.require(actor, rights.CREATE_TICKET, queue)
    if queue.pk == ticket.queue_id:
        raise ValidationFailed(f"The ticket is already in queue '{queue.name}'.")
    if not queue.is_active:
        raise ValidationFailed(f"Queue '{queue.name}' is disabled.")
    old_queue = ticket.queue
    source, target = old_queue.lifecycle.name, queue.lifecycle.name
    new_status = registry.map_status(source, target, ticket.status)
    if new_status is None:
        raise InvalidTransition(
            f"Cannot move from lifecycle '{source}' to '{target}': no status map for "
            f"'{ticket.status}'."
        )
    written = []
    old_status = ticket.status
    ticket.queue = queue
    ticket.status = new_status
    ticket.save(update_fields=["queue", "status"])
    written.append(
        record_transaction(
            ticket=ticket,
            type=TransactionType.SET,
            actor=actor,
            field="Queue",
            old=old_queue.pk,
            new=queue.pk,
        )
    )
    if new_status != old_status:
        written.append(
            record_transaction(
                ticket=ticket,
                type=TransactionType.STATUS,
                actor=actor,
                field="Status",
                old=old_status,
                new=new_status,
            )
        )
    owner = ticket.owner
    if not owner.is_nobody and not rights.has_right(owner, rights.OWN_TICKET, queue):
        unowned = nobody()
        ticket.owner = unowned
        ticket.save(update_fields=["owner"])
        written.append(
            record_transaction(
                ticket=ticket,
                type=TransactionType.SET,
                actor=actor,
                field="Owner",
                old=owner.pk,
                new=unowned.pk,
                data={"reason": "owner may not own tickets in the new queue"},
            )
        )
    return written
