"""Transactions and attachments by id."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from tracker.api.base import ApiView, paginate, requested_fields
from tracker.api.history_records import (
    attachment_item,
    attachment_record,
    get_attachment_for,
    get_transaction_for,
    transaction_record,
)
from tracker.models import Attachment


class TransactionView(ApiView):
    """GET /transaction/:id"""

    def get(self, request: Request, pk: int) -> Response:
        return Response(
            transaction_record(request, get_transaction_for(request.user, pk))
        )


class TransactionAttachmentsView(ApiView):
    """GET /transaction/:id/attachments"""

    def get(self, request: Request, pk: int) -> Response:
        txn = get_transaction_for(request.user, pk)
        attachments = (
            Attachment.objects.filter(transaction=txn)
            .select_related("creator")
            .order_by("id")
        )
        fields = requested_fields(request)
        return Response(
            paginate(
                request, attachments, lambda a: attachment_item(request, a, fields)
            )
        )


class AttachmentView(ApiView):
    """GET /attachment/:id (Content is base64)"""

    def get(self, request: Request, pk: int) -> Response:
        return Response(
            attachment_record(request, get_attachment_for(request.user, pk))
        )
