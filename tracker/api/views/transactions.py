"""Transactions and attachments: search, show by id, and the history of queues, users
and groups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import rights
from tracker.api.base import ApiView, paginate, requested_fields
from tracker.api.history_records import (
    attachment_item,
    attachment_record,
    get_attachment_for,
    get_transaction_for,
    transaction_item,
    transaction_record,
    visible_transactions,
)
from tracker.api.search import json_search
from tracker.api.views.principals import get_group_for, get_user_for
from tracker.api.views.queues import get_queue_for
from tracker.errors import ValidationFailed
from tracker.models import Attachment, ObjectType, Transaction
from tracker.services.users import user_history
from tracker.ticketsql.transactions import search_transactions

# RT's JSON search form over transactions: field name -> ORM path.
JSON_SEARCH_FIELDS = {
    "id": "id",
    "Type": "type",
    "Field": "field",
    "OldValue": "old_value",
    "NewValue": "new_value",
    "ObjectType": "object_type",
    "ObjectId": "object_id",
    "Creator": "creator__username",
    "TimeTaken": "time_taken",
}
SEARCH_PARAMS = ("query", "orderby", "order")


def _list_param(params: Any, name: str) -> list[str]:
    return [
        part.strip()
        for value in params.getlist(name)
        for part in str(value).split(",")
        if part.strip()
    ]


def _page(request: Request, txns: QuerySet[Transaction]) -> Response:
    fields = requested_fields(request)
    txns = txns.select_related("creator")
    return Response(
        paginate(request, txns, lambda t: transaction_item(request, t, fields))
    )


class TransactionsView(ApiView):
    """GET /transactions?query=… (TransactionSQL, with orderby/order); POST the same
    parameters as a JSON object or form, or RT's JSON search form (an array of
    `{"field", "operator", "value"}`)."""

    def get(self, request: Request) -> Response:
        return self._search(request, request.query_params)

    def post(self, request: Request) -> Response:
        body = request.data
        if isinstance(body, list):
            txns = json_search(
                visible_transactions(request.user), body, JSON_SEARCH_FIELDS
            )
            return _page(request, txns.order_by("id"))
        params = request.query_params.copy()
        if isinstance(body, dict) or hasattr(body, "dict"):
            for key in SEARCH_PARAMS:
                if key not in body:
                    continue
                value = body.getlist(key) if hasattr(body, "getlist") else body[key]
                values = value if isinstance(value, list) else [value]
                params.setlist(key, [str(v) for v in values])
        elif body:
            raise ValidationFailed(
                "The request body must be a JSON array, a JSON object or a form."
            )
        return self._search(request, params)

    def _search(self, request: Request, params: Any) -> Response:
        txns = search_transactions(
            request.user,
            params.get("query", "").strip(),
            order_by=_list_param(params, "orderby") or ["id"],
            order=_list_param(params, "order") or ["ASC"],
        )
        return _page(request, txns)


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


def _history_of(object_type: ObjectType, object_id: int) -> QuerySet[Transaction]:
    return Transaction.objects.filter(
        object_type=object_type, object_id=object_id
    ).order_by("id")


class QueueHistoryView(ApiView):
    """GET /queue/:id/history: grants and queue watchers; needs AdminQueue on it."""

    def get(self, request: Request, key: int | str) -> Response:
        queue = get_queue_for(request, key)
        rights.require(request.user, rights.ADMIN_QUEUE, queue)
        return _page(request, _history_of(ObjectType.QUEUE, queue.pk))


class UserHistoryView(ApiView):
    """GET /user/:id/history: the user's creation, changes to the record and group
    membership changes; needs AdminUsers or ShowUserHistory."""

    def get(self, request: Request, key: int | str) -> Response:
        user = get_user_for(request, key)
        rights.require(request.user, rights.ADMIN_USERS, None, rights.SHOW_USER_HISTORY)
        return _page(request, user_history(user))


class GroupHistoryView(ApiView):
    """GET /group/:id/history: members added and removed; needs AdminGroups."""

    def get(self, request: Request, pk: int) -> Response:
        group = get_group_for(request, pk)
        rights.require(request.user, rights.ADMIN_GROUPS)
        return _page(request, _history_of(ObjectType.GROUP, group.pk))
