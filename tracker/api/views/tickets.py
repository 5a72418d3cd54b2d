"""Tickets: create, show, update, delete; search; bulk create and update."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import queries, services, ticketsql
from tracker.api import inputs
from tracker.api.base import ApiView, paginate, ref, reject_nul, requested_fields
from tracker.api.errors import PreconditionFailed
from tracker.api.ticket_changes import (
    DATE_FIELDS,
    INT_FIELDS,
    Changes,
    custom_field_values,
)
from tracker.api.ticket_records import TicketRecords, watchers_prefetch, with_related
from tracker.errors import DomainError, ValidationFailed
from tracker.locks import lock_ticket
from tracker.models import Ticket

CREATE_FIELDS = {
    "Queue",
    "Subject",
    "Requestor",
    "Cc",
    "AdminCc",
    "Owner",
    "Status",
    "Content",
    "ContentType",
    "Attachments",
    "CustomFields",
    "Type",
    *INT_FIELDS,
    "Starts",
    "Due",
}
CONTENT_TYPES = ("text/plain", "text/html")
MAX_BULK = 100


def request_body(view: ApiView, request: Request) -> tuple[dict[str, Any], list]:
    """The JSON object of the request, and the uploaded files of a multipart one.

    Multipart requests carry the JSON in a part named `JSON` and files as `Attachments`.
    """
    if request.content_type.startswith("multipart/form-data"):
        raw = request.data.get("JSON", "{}")
        try:
            data = json.loads(raw)
        except ValueError:
            raise ValidationFailed("The JSON part is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ValidationFailed("The JSON part must be a JSON object.")
        reject_nul(data)
        return data, inputs.file_uploads(request.FILES.getlist("Attachments"))
    return view.json_object(request), []


def content_type(value: Any) -> str:
    kind = inputs.text("ContentType", value).strip().lower() or "text/plain"
    if kind not in CONTENT_TYPES:
        raise ValidationFailed(
            f"ContentType must be one of {', '.join(CONTENT_TYPES)}."
        )
    return kind


def create_from(request: Request, data: dict[str, Any], files: list) -> Ticket:
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
    if "Queue" not in data:
        raise ValidationFailed("Queue is required.")
    if data.get("Type") not in (None, "ticket"):
        raise ValidationFailed("Only tickets of Type 'ticket' can be created here.")
    actor = request.user
    kwargs: dict[str, Any] = {
        "queue": inputs.queue(data["Queue"]),
        "subject": inputs.text("Subject", data.get("Subject")),
        "body": inputs.text("Content", data.get("Content")),
        "content_type": content_type(data.get("ContentType")),
        "uploads": [*inputs.json_attachments(data.get("Attachments")), *files],
    }
    # As in RT, the creator is the requestor unless the body names others.
    requestors = inputs.string_list("Requestor", data.get("Requestor"))
    kwargs["requestors"] = requestors if "Requestor" in data else [actor]
    kwargs["cc"] = inputs.string_list("Cc", data.get("Cc"))
    kwargs["admin_cc"] = inputs.string_list("AdminCc", data.get("AdminCc"))
    if data.get("Owner") not in (None, "", "Nobody"):
        kwargs["owner"] = inputs.user("Owner", data["Owner"])
    if data.get("Status") not in (None, ""):
        kwargs["status"] = inputs.text("Status", data["Status"])
    for name, attr in INT_FIELDS.items():
        if data.get(name) not in (None, ""):
            kwargs[attr] = inputs.integer(name, data[name])
    for name in ("Starts", "Due"):
        if name in data:
            kwargs[DATE_FIELDS[name]] = inputs.date(name, data[name], actor)
    custom = data.get("CustomFields")
    if custom not in (None, {}):
        if not isinstance(custom, dict):
            raise ValidationFailed("CustomFields must be an object of name: value(s).")
        kwargs["custom_fields"] = {
            (int(k) if str(k).isdigit() else str(k)): custom_field_values(str(k), v)
            for k, v in custom.items()
        }
    return services.create_ticket(actor=actor, **kwargs)


class TicketCreateView(ApiView):
    """POST /ticket"""

    def post(self, request: Request) -> Response:
        data, files = request_body(self, request)
        ticket = create_from(request, data, files)
        body = ref(request, "ticket", ticket.pk)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["_url"]}
        )


def ticket_etag(ticket: Ticket) -> str:
    return f'W/"{ticket.pk}-{int(ticket.last_updated.timestamp() * 1_000_000)}"'


def _etags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _not_modified(request: Request, ticket: Ticket) -> bool:
    """If-None-Match, else If-Modified-Since (whole seconds, as HTTP dates are)."""
    if "If-None-Match" in request.headers:
        tags = _etags(request.headers["If-None-Match"])
        return "*" in tags or ticket_etag(ticket) in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(ticket.last_updated.timestamp()) <= since


def check_preconditions(request: Request, ticket: Ticket) -> None:
    """If-Match / If-Unmodified-Since: refuse to change a ticket the client saw older."""
    if "If-Match" in request.headers:
        tags = _etags(request.headers["If-Match"])
        if "*" not in tags and ticket_etag(ticket) not in tags:
            raise PreconditionFailed("The ticket changed since you read it.")
    since = parse_http_date_safe(request.headers.get("If-Unmodified-Since", ""))
    if since is not None and int(ticket.last_updated.timestamp()) > since:
        raise PreconditionFailed("The ticket changed since you read it.")


class TicketView(ApiView):
    """GET, PUT, DELETE /ticket/:id — with ETag / Last-Modified, as RT does."""

    def get(self, request: Request, pk: int) -> Response:
        # Loaded once with what the record needs (not read again for the record).
        ticket = queries.get_ticket_for(
            request.user, pk, related=("creator", "last_updated_by")
        )
        headers = {
            "ETag": ticket_etag(ticket),
            "Last-Modified": http_date(ticket.last_updated.timestamp()),
        }
        if _not_modified(request, ticket):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        prefetch_related_objects([ticket], watchers_prefetch())
        return Response(TicketRecords(request).detail(ticket), headers=headers)

    def put(self, request: Request, pk: int) -> Response:
        data = self.json_object(request)
        ticket = queries.get_ticket_for(request.user, pk)
        with transaction.atomic():
            # Checked under the row lock, so no change can slip in between.
            check_preconditions(request, lock_ticket(ticket))
            messages = Changes(request, ticket).apply(data)
        return Response(messages)

    def delete(self, request: Request, pk: int) -> Response:
        ticket = queries.get_ticket_for(request.user, pk)
        with transaction.atomic():
            check_preconditions(request, lock_ticket(ticket))
            services.set_status(ticket=ticket, status="deleted", actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TicketsView(ApiView):
    """GET /tickets?query=… (TicketSQL; `simple=1` for a quick search), POST the same
    parameters as a form or JSON body."""

    def get(self, request: Request) -> Response:
        return self._search(request, request.query_params)

    def post(self, request: Request) -> Response:
        params = request.query_params.copy()
        body = request.data
        if isinstance(body, dict) or hasattr(body, "dict"):
            for key in ("query", "simple", "orderby", "order"):
                if key not in body:
                    continue
                value = body.getlist(key) if hasattr(body, "getlist") else body[key]
                values = value if isinstance(value, list) else [value]
                params.setlist(key, [str(v) for v in values])
        elif body:
            raise ValidationFailed("The request body must be a JSON object or a form.")
        return self._search(request, params)

    def _search(self, request: Request, params: Any) -> Response:
        query = params.get("query", "").strip()
        order_by = _list_param(params, "orderby") or ["id"]
        order = [o.upper() for o in _list_param(params, "order")] or ["ASC"]
        if any(o not in ("ASC", "DESC") for o in order):
            raise ValidationFailed("order must be ASC or DESC.")
        if params.get("simple") in ("1", "true") and query:
            query = simple_query(query)
        tickets = ticketsql.search(
            request.user,
            query,
            order_by=order_by,
            order=order[0] if len(order) == 1 else order,
        )
        fields = requested_fields(request)
        records = TicketRecords(request)
        if fields:
            tickets = with_related(tickets, custom_fields="CustomFields" in fields)
        return Response(paginate(request, tickets, lambda t: records.item(t, fields)))


def _list_param(params: Any, name: str) -> list[str]:
    """`orderby=Created,id` or `orderby=Created&orderby=id`."""
    return [
        part.strip()
        for value in params.getlist(name)
        for part in str(value).split(",")
        if part.strip()
    ]


def simple_query(text: str) -> str:
    """RT's quick search, reduced to its common cases: a number is a ticket id, anything
    else is looked up in subjects."""
    if text.isdigit():
        return f"id = {int(text)}"
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"Subject LIKE '{escaped}'"


class TicketsBulkView(ApiView):
    """POST /tickets/bulk creates many; PUT /tickets/bulk updates many.

    Each item succeeds or fails on its own, as in RT; failures carry their message.
    """

    def post(self, request: Request) -> Response:
        items = self._items(request)
        results: list[dict[str, Any]] = []
        for item in items:
            try:
                if not isinstance(item, dict):
                    raise ValidationFailed("Each item must be a JSON object.")
                with transaction.atomic():
                    ticket = create_from(request, item, [])
                results.append(ref(request, "ticket", ticket.pk))
            except DomainError as exc:
                results.append({"message": exc.message})
        return Response(results, status=status.HTTP_201_CREATED)

    def put(self, request: Request) -> Response:
        items = self._items(request)
        results: list[list[str]] = []
        for item in items:
            number = item.get("id") if isinstance(item, dict) else None
            try:
                if not isinstance(item, dict):
                    raise ValidationFailed("Each item must be a JSON object.")
                pk = inputs.identifier("id", number)
                ticket = queries.get_ticket_for(request.user, pk)
                with transaction.atomic():
                    messages = Changes(request, ticket).apply(item)
                results.append([str(pk), *messages])
            except DomainError as exc:
                results.append([str(number), exc.message])
        return Response(results)

    def _items(self, request: Request) -> list[Any]:
        items = self.json_list(request)
        if len(items) > MAX_BULK:
            raise ValidationFailed(f"At most {MAX_BULK} items per bulk request.")
        return items
