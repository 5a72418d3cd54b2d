"""Queues: the list the caller may see, and one queue by id or name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from queues.models import Queue
from tracker import rights
from tracker.api.base import ApiView, api_url, paginate, ref, requested_fields, user_ref
from tracker.api.config import save_record
from tracker.api.search import json_search
from tracker.errors import NotFound, ValidationFailed
from tracker.models import CustomFieldLookup, QueueWatcher
from tracker.services.customfields import custom_fields_for_queue

SEARCH_FIELDS = {
    "id": "pk",
    "Name": "name",
    "Description": "description",
    "CorrespondAddress": "correspond_address",
    "CommentAddress": "comment_address",
    "SubjectTag": "subject_tag",
    "Lifecycle": "lifecycle__name",
}


def visible_queues(request: Request) -> QuerySet[Queue]:
    queues = rights.queues_with_right(request.user, rights.SEE_QUEUE)
    if request.query_params.get("find_disabled_rows") not in ("1", "true"):
        queues = queues.filter(is_active=True)
    return queues.select_related("lifecycle").order_by("sort_order", "name")


def get_queue_for(request: Request, key: int | str) -> Queue:
    queues = rights.queues_with_right(request.user, rights.SEE_QUEUE).select_related(
        "lifecycle"
    )
    queue = (
        queues.filter(pk=key).first()
        if isinstance(key, int)
        else queues.filter(name__iexact=key).first()
    )
    if queue is None:
        raise NotFound(f"No queue '{key}' that you may see.")
    return queue


def queue_value(request: Request, queue: Queue, name: str) -> Any:
    simple = {
        "Name": queue.name,
        "Description": queue.description,
        "CorrespondAddress": queue.correspond_address,
        "CommentAddress": queue.comment_address,
        "SubjectTag": queue.subject_tag,
        "Lifecycle": queue.lifecycle.name,
        "SortOrder": queue.sort_order,
        "InitialPriority": queue.initial_priority,
        "FinalPriority": queue.final_priority,
        "DefaultDueIn": queue.default_due_days,
        "Disabled": 0 if queue.is_active else 1,
    }
    if name in simple:
        return simple[name]
    raise KeyError(name)


LIST_FIELDS = (
    "Name",
    "Description",
    "CorrespondAddress",
    "CommentAddress",
    "SubjectTag",
    "Lifecycle",
    "SortOrder",
    "InitialPriority",
    "FinalPriority",
    "DefaultDueIn",
    "Disabled",
)


def queue_item(request: Request, queue: Queue, fields: list[str]) -> dict[str, Any]:
    record = ref(request, "queue", queue.pk)
    for name in fields:
        if name in LIST_FIELDS:
            record[name] = queue_value(request, queue, name)
    return record


def _watcher_refs(request: Request, watchers: list[QueueWatcher], role: str) -> list:
    return [
        user_ref(request, w.user) if w.user_id else ref(request, "group", w.group_id)
        for w in watchers
        if w.role == role
    ]


def queue_record(request: Request, queue: Queue) -> dict[str, Any]:
    record: dict[str, Any] = {"id": queue.pk}
    for name in LIST_FIELDS:
        record[name] = queue_value(request, queue, name)
    watchers = list(
        QueueWatcher.objects.filter(queue=queue).select_related("user", "group")
    )
    record["Cc"] = _watcher_refs(request, watchers, "Cc")
    record["AdminCc"] = _watcher_refs(request, watchers, "AdminCc")
    record["TicketCustomFields"] = [
        ref(request, "customfield", f.pk) for f in custom_fields_for_queue(queue.pk)
    ]
    record["TicketTransactionCustomFields"] = [
        ref(request, "customfield", f.pk)
        for f in custom_fields_for_queue(queue.pk, CustomFieldLookup.TRANSACTION)
    ]
    links = [{"ref": "self", **ref(request, "queue", queue.pk)}]
    if rights.has_right(request.user, rights.CREATE_TICKET, queue) and queue.is_active:
        links.append(
            {
                "ref": "create",
                "type": "ticket",
                "_url": api_url(request, "ticket") + f"?Queue={queue.pk}",
            }
        )
    links.append(
        {
            "ref": "tickets",
            "_url": api_url(request, "tickets") + f"?query=Queue%20%3D%20{queue.pk}",
        }
    )
    record["_hyperlinks"] = links
    return record


class QueuesView(ApiView):
    """GET /queues/all; POST /queues with a JSON search."""

    def get(self, request: Request) -> Response:
        fields = requested_fields(request)
        return Response(
            paginate(
                request,
                visible_queues(request),
                lambda q: queue_item(request, q, fields),
            )
        )

    def post(self, request: Request) -> Response:
        queues = json_search(visible_queues(request), request.data, SEARCH_FIELDS)
        fields = requested_fields(request)
        return Response(
            paginate(request, queues, lambda q: queue_item(request, q, fields))
        )


class QueueView(ApiView):
    """GET /queue/:id or /queue/:name"""

    def get(self, request: Request, key: int | str) -> Response:
        queue = get_queue_for(request, key)
        return Response(queue_record(request, queue))


class QueueCreateView(ApiView):
    """POST /queue — needs AdminQueue granted globally."""

    def post(self, request: Request) -> Response:
        rights.require(request.user, rights.ADMIN_QUEUE)
        data = self.json_object(request)
        if "Name" not in data:
            raise ValidationFailed("Name is required.")
        defaults = {"lifecycle": _default_lifecycle_id(), "is_active": True}
        queue, _ = save_record("queue", Queue(), data, defaults=defaults)
        body = ref(request, "queue", queue.pk)
        return Response(body, status=201, headers={"Location": body["_url"]})


def _default_lifecycle_id() -> int | None:
    from lifecycles.models import Lifecycle

    return Lifecycle.objects.filter(name="default").values_list("pk", flat=True).first()


class QueueEditView(QueueView):
    """GET, PUT, DELETE (= disable) /queue/:id or /queue/:name; changes need AdminQueue."""

    def put(self, request: Request, key: int | str) -> Response:
        data = self.json_object(request)
        queue = get_queue_for(request, key)
        rights.require(request.user, rights.ADMIN_QUEUE, queue)
        _, messages = save_record("queue", queue, data, label=f"Queue {queue.name}")
        return Response(messages)

    def delete(self, request: Request, key: int | str) -> Response:
        queue = get_queue_for(request, key)
        rights.require(request.user, rights.ADMIN_QUEUE, queue)
        save_record("queue", queue, {"Disabled": 1})
        return Response(status=204)
