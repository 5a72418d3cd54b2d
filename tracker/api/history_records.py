"""Transactions and attachments as REST 2.0 records, and which of them a user may read."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from tracker.api.base import format_date, ref, user_ref
from tracker.api.ticket_changes import describe_change
from tracker.errors import NotFound
from tracker.models import Attachment, ObjectType, Transaction, User
from tracker.ticketsql.transactions import readable_transactions

TRANSACTION_FIELDS = (
    "Type",
    "Field",
    "OldValue",
    "NewValue",
    "TimeTaken",
    "Created",
    "Creator",
    "Object",
    "Description",
)
ATTACHMENT_FIELDS = (
    "Subject",
    "Filename",
    "ContentType",
    "ContentLength",
    "MessageId",
    "Headers",
    "Created",
    "Creator",
    "TransactionId",
    "Parent",
)


def visible_transactions(user: User) -> QuerySet[Transaction]:
    condition = readable_transactions(user)
    txns = Transaction.objects.all()
    return txns if condition is None else txns.filter(condition)


def get_transaction_for(user: User, pk: int) -> Transaction:
    txn = (
        visible_transactions(user)
        .select_related("creator")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )
    if txn is None:
        raise NotFound(f"No transaction #{pk} that you may see.")
    return txn


def get_attachment_for(user: User, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("creator", "transaction")
        .filter(pk=pk, transaction__in=visible_transactions(user))
        .first()
    )
    if attachment is None:
        raise NotFound(f"No attachment #{pk} that you may see.")
    return attachment


def _description(txn: Transaction) -> str:
    match txn.type:
        case "Create":
            return "Ticket created"
        case "Correspond":
            return "Correspondence added"
        case "Comment":
            return "Comments added"
        case "AddWatcher" | "DelWatcher":
            verb = "added" if txn.type == "AddWatcher" else "deleted"
            return f"{txn.field} {verb}"
        case "AddLink" | "DeleteLink":
            verb = "added" if txn.type == "AddLink" else "deleted"
            return f"{txn.field} {txn.new_value or txn.old_value} {verb}"
        case "Status" | "Set":
            return describe_change(txn)
    return txn.type


def _object_ref(request: Request, txn: Transaction) -> dict[str, Any] | None:
    if txn.object_type == ObjectType.SYSTEM:
        return None
    return ref(request, str(txn.object_type), txn.object_id)


def transaction_value(request: Request, txn: Transaction, name: str) -> Any:
    match name:
        case "Type":
            return txn.type
        case "Field":
            return txn.field
        case "OldValue":
            return txn.old_value
        case "NewValue":
            return txn.new_value
        case "TimeTaken":
            return txn.time_taken
        case "Created":
            return format_date(txn.created)
        case "Creator":
            return user_ref(request, txn.creator)
        case "Object":
            return _object_ref(request, txn)
        case "Description":
            return _description(txn)
    raise KeyError(name)


def transaction_item(
    request: Request, txn: Transaction, fields: list[str]
) -> dict[str, Any]:
    record = ref(request, "transaction", txn.pk)
    for name in fields:
        if name in TRANSACTION_FIELDS:
            record[name] = transaction_value(request, txn, name)
    return record


def transaction_record(request: Request, txn: Transaction) -> dict[str, Any]:
    record: dict[str, Any] = {"id": txn.pk}
    for name in TRANSACTION_FIELDS:
        record[name] = transaction_value(request, txn, name)
    record["Data"] = txn.data
    record["_hyperlinks"] = [
        {"ref": "self", **ref(request, "transaction", txn.pk)},
        *(
            {"ref": "attachment", **ref(request, "attachment", a.pk)}
            for a in txn.attachments.all()
        ),
    ]
    if txn.ticket_id:
        record["_hyperlinks"].append(
            {"ref": "object", **ref(request, "ticket", txn.ticket_id)}
        )
    return record


def attachment_bytes(attachment: Attachment) -> bytes:
    if attachment.file:
        with attachment.file.open("rb") as handle:
            return handle.read()
    return attachment.content.encode()


def attachment_value(request: Request, attachment: Attachment, name: str) -> Any:
    match name:
        case "Subject":
            return attachment.subject
        case "Filename":
            return attachment.filename
        case "ContentType":
            return attachment.content_type
        case "ContentLength":
            return attachment.size
        case "MessageId":
            return attachment.message_id
        case "Headers":
            return attachment.headers
        case "Created":
            return format_date(attachment.created)
        case "Creator":
            return user_ref(request, attachment.creator)
        case "TransactionId":
            return ref(request, "transaction", attachment.transaction_id)
        case "Parent":
            if attachment.parent_id is None:
                return None
            return ref(request, "attachment", attachment.parent_id)
    raise KeyError(name)


def attachment_item(
    request: Request, attachment: Attachment, fields: list[str]
) -> dict[str, Any]:
    record = ref(request, "attachment", attachment.pk)
    for name in fields:
        if name in ATTACHMENT_FIELDS:
            record[name] = attachment_value(request, attachment, name)
    return record


def attachment_record(request: Request, attachment: Attachment) -> dict[str, Any]:
    record: dict[str, Any] = {"id": attachment.pk}
    for name in ATTACHMENT_FIELDS:
        record[name] = attachment_value(request, attachment, name)
    record["Content"] = (
        ""
        if attachment.is_multipart
        else base64.b64encode(attachment_bytes(attachment)).decode()
    )
    record["_hyperlinks"] = [
        {"ref": "self", **ref(request, "attachment", attachment.pk)},
        {
            "ref": "transaction",
            **ref(request, "transaction", attachment.transaction_id),
        },
    ]
    return record
