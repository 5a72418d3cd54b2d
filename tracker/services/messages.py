"""Replies (correspondence) and private comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import Message

from django.db import transaction
from django.utils import timezone

from tracker import rights
from tracker.errors import ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import (
    Role,
    Ticket,
    TicketWatcher,
    Transaction,
    TransactionType,
    User,
)
from tracker.services.attachments import (
    Upload,
    check_upload_sizes,
    store_message,
    store_mime,
)
from tracker.services.customfields import transaction_custom_field_values


def _add_message(
    *,
    ticket: Ticket,
    actor: User,
    txn_type: TransactionType,
    body: str,
    content_type: str,
    subject: str,
    uploads: Sequence[Upload],
    mime: Message | None,
    time_taken: int,
    message_id: str,
    data: dict | None,
    txn_custom_fields: Mapping | None,
) -> Transaction:
    if not isinstance(time_taken, int) or time_taken < 0:
        raise ValidationFailed("Time taken must be a whole number of minutes ≥ 0.")
    if mime is None and not body.strip() and not uploads:
        raise ValidationFailed("The message is empty.")
    check_upload_sizes(uploads)
    update = []
    if time_taken:
        ticket.time_worked += time_taken
        update.append("time_worked")
    is_requestor = TicketWatcher.objects.filter(
        ticket=ticket, role=Role.REQUESTOR, user=actor
    ).exists()
    if txn_type == TransactionType.CORRESPOND and not is_requestor:
        # "Last contacted": a reply that reaches the requestors from someone else.
        ticket.told = timezone.now()
        update.append("told")
    if update:
        ticket.save(update_fields=update)
    subject = " ".join((subject or "").split())[:255]
    txn = record_transaction(
        ticket=ticket,
        type=txn_type,
        actor=actor,
        time_taken=time_taken,
        data={"subject": subject or ticket.subject, **(data or {})},
    )
    if mime is not None:
        store_mime(txn=txn, actor=actor, message=mime)
    else:
        store_message(
            txn=txn,
            actor=actor,
            subject=subject or ticket.subject,
            body=body,
            content_type=content_type,
            uploads=uploads,
            message_id=message_id,
        )
    if txn_custom_fields:
        transaction_custom_field_values(
            txn=txn, ticket=ticket, actor=actor, values=txn_custom_fields
        )
    return txn


@transaction.atomic
def correspond(
    *,
    ticket: Ticket,
    actor: User,
    body: str = "",
    content_type: str = "text/plain",
    subject: str = "",
    uploads: Sequence[Upload] = (),
    mime: Message | None = None,
    time_taken: int = 0,
    message_id: str = "",
    data: dict | None = None,
    txn_custom_fields: Mapping | None = None,
) -> Transaction:
    """Add a public reply. Needs ReplyToTicket (or ModifyTicket).

    Side effects: TimeWorked grows by `time_taken`; Told is set when the actor is not a
    requestor; after commit, scrips notify the watchers.
    """
    ticket = lock_ticket(ticket)
    rights.require(actor, rights.REPLY_TO_TICKET, ticket, rights.MODIFY_TICKET)
    return _add_message(
        ticket=ticket,
        actor=actor,
        txn_type=TransactionType.CORRESPOND,
        body=body,
        content_type=content_type,
        subject=subject,
        uploads=uploads,
        mime=mime,
        time_taken=time_taken,
        message_id=message_id,
        data=data,
        txn_custom_fields=txn_custom_fields,
    )


@transaction.atomic
def comment(
    *,
    ticket: Ticket,
    actor: User,
    body: str = "",
    content_type: str = "text/plain",
    subject: str = "",
    uploads: Sequence[Upload] = (),
    mime: Message | None = None,
    time_taken: int = 0,
    message_id: str = "",
    data: dict | None = None,
    txn_custom_fields: Mapping | None = None,
) -> Transaction:
    """Add a private comment (staff only see it with ShowTicketComments).

    Needs CommentOnTicket (or ModifyTicket). TimeWorked grows by `time_taken`.
    """
    ticket = lock_ticket(ticket)
    rights.require(actor, rights.COMMENT_ON_TICKET, ticket, rights.MODIFY_TICKET)
    return _add_message(
        ticket=ticket,
        actor=actor,
        txn_type=TransactionType.COMMENT,
        body=body,
        content_type=content_type,
        subject=subject,
        uploads=uploads,
        mime=mime,
        time_taken=time_taken,
        message_id=message_id,
        data=data,
        txn_custom_fields=txn_custom_fields,
    )
