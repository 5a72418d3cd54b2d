"""A copy of each notification sent, in the ticket's history (RT's RecordOutgoingEmail)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from tracker.history import record_transaction
from tracker.models import Ticket, Transaction, TransactionType
from tracker.principals import system_user
from tracker.services.attachments import store_message


@transaction.atomic
def record_outgoing_email(
    *,
    ticket: Ticket,
    is_comment: bool,
    message_id: str,
    subject: str,
    from_email: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    body: str = "",
    content_type: str = "text/plain",
    headers: str = "",
    triggered_by: int | None = None,
) -> Transaction:
    """Write an EmailRecord (or CommentEmailRecord) transaction with the recipients and
    the message, as the system user.

    Shown only to holders of ShowOutgoingEmail. LastUpdated is left alone: sending mail
    is not a change to the ticket. Scrips do not run on these transactions.
    """
    actor = system_user()
    txn = record_transaction(
        ticket=ticket,
        type=(
            TransactionType.COMMENT_EMAIL_RECORD
            if is_comment
            else TransactionType.EMAIL_RECORD
        ),
        actor=actor,
        data={
            "subject": subject,
            "message_id": message_id,
            "from": from_email,
            "to": list(to),
            "cc": list(cc),
            "bcc": list(bcc),
            "triggered_by": triggered_by,
        },
        touch_ticket=False,
    )
    store_message(
        txn=txn,
        actor=actor,
        subject=subject,
        body=body or " ",
        content_type=content_type,
        message_id=message_id,
        headers=headers,
    )
    return txn
