"""Tickets as JSON: each with its people, custom fields, links and full history, every
message part included (text as text, binary as base64), as far as the reader may see.

Written one ticket at a time, so a large export never sits in memory whole.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from tracker import queries
from tracker.models import Attachment, Ticket, Transaction, User

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"username": user.username, "email": user.email, "name": user.real_name}


def attachment_record(attachment: Attachment) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": attachment.pk,
        "parent": attachment.parent_id,
        "content_type": attachment.content_type,
        "filename": attachment.filename,
        "subject": attachment.subject,
        "message_id": attachment.message_id,
        "headers": attachment.headers,
        "size": attachment.size,
    }
    if attachment.file:
        with attachment.file.open("rb") as handle:
            record["content_base64"] = base64.b64encode(handle.read()).decode("ascii")
    elif not attachment.is_multipart:
        record["content"] = attachment.content
    return record


def transaction_record(txn: Transaction) -> dict[str, Any]:
    return {
        "id": txn.pk,
        "ticket": txn.ticket_id,
        "type": txn.type,
        "field": txn.field,
        "old_value": txn.old_value,
        "new_value": txn.new_value,
        "data": txn.data,
        "time_taken": txn.time_taken,
        "creator": txn.creator.username,
        "created": _when(txn.created),
        "attachments": [attachment_record(a) for a in txn.attachments.all()],
    }


def ticket_record(ticket: Ticket, user: User) -> dict[str, Any]:
    """One ticket with everything `user` may see of it."""
    watchers: dict[str, list[str]] = {"Requestor": [], "Cc": [], "AdminCc": []}
    for watcher in ticket.watchers.select_related("user", "group"):
        who = watcher.user.email or watcher.user.username if watcher.user else None
        watchers[watcher.role].append(who or f"group:{watcher.group.name}")
    custom_fields: dict[str, list[str]] = {}
    for value in ticket.custom_values.select_related("custom_field").order_by("id"):
        custom_fields.setdefault(value.custom_field.name, []).append(value.content)
    links = [
        {"type": link.type, "target": link.target_id or link.target_uri}
        for link in ticket.links_out.order_by("id")
    ]
    return {
        "id": ticket.pk,
        "queue": ticket.queue.name,
        "type": ticket.type,
        "subject": ticket.subject,
        "status": ticket.status,
        "owner": _person(ticket.owner),
        "creator": _person(ticket.creator),
        "priority": ticket.priority,
        "initial_priority": ticket.initial_priority,
        "final_priority": ticket.final_priority,
        "time_estimated": ticket.time_estimated,
        "time_worked": ticket.time_worked,
        "time_left": ticket.time_left,
        "created": _when(ticket.created),
        "starts": _when(ticket.starts),
        "started": _when(ticket.started),
        "due": _when(ticket.due),
        "resolved": _when(ticket.resolved),
        "told": _when(ticket.told),
        "last_updated": _when(ticket.last_updated),
        "merged_into": ticket.merged_into_id,
        "merged_tickets": sorted(ticket.merged_tickets.values_list("pk", flat=True)),
        "watchers": watchers,
        "custom_fields": custom_fields,
        "links": links,
        "history": [
            transaction_record(t) for t in queries.ticket_history(ticket, user)
        ],
    }


def iter_export(
    tickets: Iterable[Ticket], *, user: User, query: str = ""
) -> Iterator[str]:
    """The export document in pieces: {"format", "exported_at", "exported_by",
    "query", "tickets": [...]}, one ticket per piece."""
    header = {
        "format": f"tracker-export/{FORMAT_VERSION}",
        "exported_at": timezone.now().isoformat(),
        "exported_by": user.username,
        "query": query,
    }
    yield json.dumps(header)[:-1] + ', "tickets": ['
    if isinstance(tickets, QuerySet):
        tickets = tickets.select_related("queue", "owner", "creator").iterator(
            chunk_size=200
        )
    for n, ticket in enumerate(tickets):
        yield ("," if n else "") + "\n" + json.dumps(ticket_record(ticket, user))
    yield "\n]}\n"


def write_export(
    stream: IO[str], tickets: Iterable[Ticket], *, user: User, query: str = ""
) -> int:
    """Write the export document to `stream`; return how many tickets it holds."""
    pieces = iter_export(tickets, user=user, query=query)
    count = -2  # the header and the closing piece are not tickets
    for piece in pieces:
        stream.write(piece)
        count += 1
    return count
