"""What is done to one ticket besides editing it: owner verbs, replies, comments, and
reading its history and attachments."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import queries, services
from tracker.api import inputs
from tracker.api.base import ApiView, paginate, requested_fields
from tracker.api.history_records import attachment_item, transaction_item
from tracker.api.ticket_changes import Changes, custom_field_values
from tracker.api.views.tickets import MAX_BULK, content_type, request_body
from tracker.errors import DomainError, ValidationFailed
from tracker.models import Attachment, TransactionType

OWNER_VERBS = {
    "take": services.take,
    "untake": services.untake,
    "steal": services.steal,
}
MESSAGE_FIELDS = {
    "Content",
    "ContentType",
    "Subject",
    "Attachments",
    "TimeTaken",
    "Status",
    "CustomFields",
    "TxnCustomFields",
}


class TicketOwnerView(ApiView):
    """PUT /ticket/:id/take, /untake, /steal"""

    verb = "take"

    def put(self, request: Request, pk: int) -> Response:
        ticket = queries.get_ticket_for(request.user, pk)
        old = ticket.owner.username
        OWNER_VERBS[self.verb](ticket=ticket, actor=request.user)
        ticket.refresh_from_db(fields=["owner"])
        return Response(
            [f"Ticket {ticket.pk}: Owner changed from {old} to {ticket.owner.username}"]
        )


def add_message(
    request: Request, ticket_number: int, data: dict[str, Any], files: list, kind: str
) -> list[str]:
    """Reply or comment on one ticket, then apply Status / CustomFields; RT's messages."""
    unknown = sorted(set(data) - MESSAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
    ticket = queries.get_ticket_for(request.user, ticket_number)
    uploads = [*inputs.json_attachments(data.get("Attachments")), *files]
    txn_fields = data.get("TxnCustomFields")
    if txn_fields is not None and not isinstance(txn_fields, dict):
        raise ValidationFailed("TxnCustomFields must be an object of name: value(s).")
    kwargs: dict[str, Any] = {
        "ticket": ticket,
        "actor": request.user,
        "body": inputs.text("Content", data.get("Content")),
        "content_type": content_type(data.get("ContentType")),
        "subject": inputs.text("Subject", data.get("Subject")),
        "uploads": uploads,
        "time_taken": inputs.integer("TimeTaken", data.get("TimeTaken") or 0),
        "txn_custom_fields": {
            k: custom_field_values(k, v) for k, v in (txn_fields or {}).items()
        }
        or None,
    }
    with transaction.atomic():
        if kind == TransactionType.CORRESPOND:
            services.correspond(**kwargs)
            messages = ["Correspondence added"]
        else:
            services.comment(**kwargs)
            messages = ["Comments added"]
        followup = {k: data[k] for k in ("Status", "CustomFields") if k in data}
        messages += Changes(request, ticket).apply(followup)
    return messages


class TicketMessageView(ApiView):
    """POST /ticket/:id/correspond and /comment (JSON, or multipart with files)."""

    kind = TransactionType.CORRESPOND

    def post(self, request: Request, pk: int) -> Response:
        data, files = request_body(self, request)
        messages = add_message(request, pk, data, files, self.kind)
        return Response(messages, status=status.HTTP_201_CREATED)


class TicketsBulkMessageView(ApiView):
    """POST /tickets/bulk/correspond and /comment: `[{"id": N, "Content": ...}, ...]`.

    Each ticket succeeds or fails on its own; the answer lists `[id, messages...]`.
    """

    kind = TransactionType.CORRESPOND

    def post(self, request: Request) -> Response:
        items = self.json_list(request)
        if len(items) > MAX_BULK:
            raise ValidationFailed(f"At most {MAX_BULK} items per bulk request.")
        results: list[list[str]] = []
        for item in items:
            number = item.get("id") if isinstance(item, dict) else None
            try:
                if not isinstance(item, dict):
                    raise ValidationFailed("Each item must be a JSON object.")
                pk = inputs.identifier("id", number)
                body = {k: v for k, v in item.items() if k != "id"}
                results.append(
                    [str(pk), *add_message(request, pk, body, [], self.kind)]
                )
            except DomainError as exc:
                results.append([str(number), exc.message])
        return Response(results)


class TicketHistoryView(ApiView):
    """GET /ticket/:id/history"""

    def get(self, request: Request, pk: int) -> Response:
        ticket = queries.get_ticket_for(request.user, pk)
        history = queries.ticket_history(ticket, request.user)
        fields = requested_fields(request)
        return Response(
            paginate(request, history, lambda t: transaction_item(request, t, fields))
        )


class TicketAttachmentsView(ApiView):
    """GET /ticket/:id/attachments"""

    def get(self, request: Request, pk: int) -> Response:
        ticket = queries.get_ticket_for(request.user, pk)
        history = queries.ticket_history(ticket, request.user)
        attachments = (
            Attachment.objects.filter(transaction__in=history.values("pk"))
            .select_related("creator")
            .order_by("id")
        )
        fields = requested_fields(request)
        return Response(
            paginate(
                request, attachments, lambda a: attachment_item(request, a, fields)
            )
        )
