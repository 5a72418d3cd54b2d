"""Tickets, transactions, attachments, links and users as RT 1.0 forms (reads only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from tracker import queries, rights
from tracker.api.rest1.forms import Form
from tracker.errors import NotFound
from tracker.models import (
    Attachment,
    CustomField,
    Link,
    LinkType,
    Role,
    Ticket,
    TicketWatcher,
    Transaction,
    TransactionType,
    User,
)
from tracker.services.customfields import custom_fields_for_queue

NOT_SET = "Not set"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
DATE_FIELDS = {
    "created": "Created",
    "starts": "Starts",
    "started": "Started",
    "due": "Due",
    "resolved": "Resolved",
    "told": "Told",
    "last_updated": "LastUpdated",
}
PEOPLE = {"Requestors": Role.REQUESTOR, "Cc": Role.CC, "AdminCc": Role.ADMIN_CC}


def user_zone(user: User) -> tzinfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def format_date(value: datetime | None, zone: tzinfo) -> str:
    """RT's default display, locale-independent: 'Mon Nov 23 11:54:25 2026'."""
    if value is None:
        return NOT_SET
    local = value.astimezone(zone)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local:%H:%M:%S} {local.year}"
    )


def format_utc(value: datetime) -> str:
    """Transaction and attachment times, as RT gives them: UTC 'YYYY-MM-DD HH:MM:SS'."""
    return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")


def principal_label(watcher: object) -> str:
    """How a watcher is written in a form, and read back: email, else name, or group:Name."""
    user = getattr(watcher, "user", None)
    if user is not None:
        return user.email or user.username
    return f"group:{watcher.group.name}"  # type: ignore[attr-defined]


def ticket_uri(number: int) -> str:
    return f"fsck.com-rt://{settings.TRACKER_RTNAME}/ticket/{number}"


def wanted(fields: set[str] | None, *names: str) -> bool:
    return not fields or any(name.lower() in fields for name in names)


def ticket_form(
    ticket: Ticket,
    user: User,
    fields: set[str] | None = None,
    queue_fields: dict[int, list[CustomField]] | None = None,
) -> Form:
    """The ticket's fields, in RT's order. `fields` (lower-case) keeps only those named;
    `queue_fields` caches each queue's custom fields across a list of tickets."""
    zone = user_zone(user)
    form = Form()
    form.add("id", f"ticket/{ticket.pk}")
    rows: list[tuple[str, object]] = [
        ("Queue", ticket.queue.name),
        ("Owner", ticket.owner.username),
        ("Creator", ticket.creator.username),
        ("Subject", ticket.subject),
        ("Status", ticket.status),
        ("Priority", ticket.priority),
        ("InitialPriority", ticket.initial_priority),
        ("FinalPriority", ticket.final_priority),
    ]
    # .all() so that a search can prefetch watchers and values for a whole page.
    watchers = sorted(ticket.watchers.all(), key=lambda w: w.pk)
    for key, role in PEOPLE.items():
        rows.append(
            (key, ", ".join(principal_label(w) for w in watchers if w.role == role))
        )
    for attr, key in DATE_FIELDS.items():
        rows.append((key, format_date(getattr(ticket, attr), zone)))
    for key, attr in (
        ("TimeEstimated", "time_estimated"),
        ("TimeWorked", "time_worked"),
        ("TimeLeft", "time_left"),
    ):
        minutes = getattr(ticket, attr)
        rows.append((key, f"{minutes} minutes" if minutes else "0"))
    for key, value in rows:
        if wanted(fields, key):
            form.add(key, str(value))
    if rights.has_right(user, rights.SEE_CUSTOM_FIELD, ticket):
        values: dict[int, list[str]] = {}
        for value in sorted(ticket.custom_values.all(), key=lambda v: v.pk):
            values.setdefault(value.custom_field_id, []).append(value.content)
        fields_of_queue = {} if queue_fields is None else queue_fields
        if ticket.queue_id not in fields_of_queue:
            fields_of_queue[ticket.queue_id] = custom_fields_for_queue(ticket.queue_id)
        for cf in fields_of_queue[ticket.queue_id]:
            key = f"CF.{{{cf.name}}}"
            if wanted(fields, key, f"cf-{cf.name}"):
                form.add(key, ", ".join(values.get(cf.pk, [])))
    return form


def load_ticket(user: User, number: int) -> Ticket:
    return queries.get_ticket_for(user, number)


def with_form_data(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What ticket_form reads, loaded for a whole list in a fixed number of queries."""
    return tickets.select_related("queue", "owner", "creator").prefetch_related(
        Prefetch(
            "watchers", queryset=TicketWatcher.objects.select_related("user", "group")
        ),
        "custom_values",
    )


def visible_history(ticket: Ticket, user: User) -> QuerySet[Transaction]:
    return queries.ticket_history(ticket, user)


def _names(ids: Iterable[str]) -> dict[str, str]:
    numbers = {int(i) for i in ids if str(i).isdigit()}
    return {
        str(pk): name
        for pk, name in User.objects.filter(pk__in=numbers).values_list(
            "pk", "username"
        )
    }


def describe(txn: Transaction, names: dict[str, str]) -> str:
    """A one-line account of the change, in the manner of RT's history."""
    actor = txn.creator.username
    field, old, new = txn.field, txn.old_value, txn.new_value
    kind = txn.type
    if kind == TransactionType.CREATE:
        return f"Ticket created by {actor}"
    if kind == TransactionType.CORRESPOND:
        return f"Correspondence added by {actor}"
    if kind == TransactionType.COMMENT:
        return f"Comments added by {actor}"
    if kind == TransactionType.STATUS:
        return f"Status changed from '{old}' to '{new}' by {actor}"
    if kind == TransactionType.SET and field == "Owner":
        return f"Owner set to {names.get(new, new)} by {actor}"
    if kind == TransactionType.SET:
        return f"{field} changed from '{old}' to '{new}' by {actor}"
    if kind == TransactionType.ADD_WATCHER:
        return f"{names.get(new, new)} added as {field} by {actor}"
    if kind == TransactionType.DEL_WATCHER:
        return f"{names.get(old, old)} deleted as {field} by {actor}"
    if kind == TransactionType.ADD_LINK and field == LinkType.MERGED_INTO:
        if new:
            return f"Merged into ticket #{new} by {actor}"
        return f"Ticket #{old} merged in by {actor}"
    if kind == TransactionType.ADD_LINK:
        return f"Link {field} {new} added by {actor}"
    if kind == TransactionType.DELETE_LINK:
        return f"Link {field} {old} deleted by {actor}"
    if kind == TransactionType.TOLD:
        return f"Told changed by {actor}"
    if kind == TransactionType.CUSTOM_FIELD:
        return f"Custom field changed from '{old}' to '{new}' by {actor}"
    return f"{kind} by {actor}"


def describe_all(transactions: list[Transaction]) -> dict[int, str]:
    ids = [
        value
        for txn in transactions
        if txn.field in ("Owner", "Requestor", "Cc", "AdminCc")
        for value in (txn.old_value, txn.new_value)
    ]
    names = _names(ids)
    return {txn.pk: describe(txn, names) for txn in transactions}


def history_short(ticket: Ticket, user: User) -> Form:
    transactions = list(visible_history(ticket, user))
    descriptions = describe_all(transactions)
    form = Form(comment=f"# {len(transactions)}/{len(transactions)} (/total)")
    for txn in transactions:
        form.add(str(txn.pk), descriptions[txn.pk])
    return form


def _size(attachment: Attachment) -> str:
    size = attachment.size
    return f"{int(size / 102.4) / 10}k" if size > 1024 else f"{size}b"


def message_text(txn: Transaction) -> str:
    """The first text part of the transaction's message, as RT's Content shows it."""
    for attachment in txn.attachments.all():
        if attachment.content_type == "text/plain" and not attachment.filename:
            return attachment.content
    for attachment in txn.attachments.all():
        if attachment.is_text and not attachment.filename and attachment.content:
            return attachment.content
    return "This transaction appears to have no content"


def transaction_form(txn: Transaction, description: str) -> Form:
    form = Form()
    attachments = "".join(
        f"\n{a.pk}: {a.filename or 'untitled'} ({_size(a)})"
        for a in txn.attachments.all()
    )
    for key, value in (
        ("id", txn.pk),
        ("Ticket", txn.ticket_id),
        ("TimeTaken", txn.time_taken),
        ("Type", txn.type),
        ("Field", txn.field),
        ("OldValue", txn.old_value),
        ("NewValue", txn.new_value),
        ("Data", txn.data.get("subject", "") if isinstance(txn.data, dict) else ""),
        ("Description", description),
        ("Content", message_text(txn)),
        ("Creator", txn.creator.username),
        ("Created", format_utc(txn.created)),
        ("Attachments", attachments),
    ):
        form.add(key, str(value))
    return form


def history_long(ticket: Ticket, user: User, txn_id: int | None = None) -> list[Form]:
    history = visible_history(ticket, user)
    if txn_id is not None:
        history = history.filter(pk=txn_id)
    transactions = list(history)
    if txn_id is not None and not transactions:
        raise NotFound(f"Transaction {txn_id} is not related to ticket {ticket.pk}.")
    descriptions = describe_all(transactions)
    return [transaction_form(txn, descriptions[txn.pk]) for txn in transactions]


def visible_attachments(ticket: Ticket, user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        transaction__in=visible_history(ticket, user).values("pk")
    ).order_by("id")


def attachments_form(ticket: Ticket, user: User) -> Form:
    form = Form()
    listing = [
        f"{a.pk}: {a.filename or '(Unnamed)'} ({a.content_type} / {_size(a)})"
        for a in visible_attachments(ticket, user)
    ]
    if listing:
        form.add("id", f"ticket/{ticket.pk}/attachments")
        form.add("Attachments", listing)
    return form


def load_attachment(ticket: Ticket, user: User, number: int) -> Attachment:
    attachment = visible_attachments(ticket, user).filter(pk=number).first()
    if attachment is None:
        raise NotFound(f"Invalid attachment id: {number}")
    return attachment


def attachment_bytes(attachment: Attachment) -> bytes:
    if attachment.file:
        with attachment.file.open("rb") as handle:
            return handle.read()
    return attachment.content.encode("utf-8")


def attachment_form(attachment: Attachment) -> Form:
    form = Form()
    content = (
        attachment.content
        if attachment.is_text and not attachment.file
        else f"({attachment.content_type}, {attachment.size} bytes)"
    )
    for key, value in (
        ("id", attachment.pk),
        ("Subject", attachment.subject),
        ("Creator", attachment.creator_id),
        ("Created", format_utc(attachment.created)),
        ("Transaction", attachment.transaction_id),
        ("Parent", attachment.parent_id or 0),
        ("MessageId", attachment.message_id),
        ("Filename", attachment.filename),
        ("ContentType", attachment.content_type),
        ("ContentEncoding", "none"),
        ("Headers", attachment.headers.rstrip("\n")),
        ("Content", content),
    ):
        form.add(key, str(value))
    return form


# Link names as RT 1.0 lists them, with the stored type and which end the ticket is.
LINK_ROWS = (
    ("DependsOn", LinkType.DEPENDS_ON, "base"),
    ("DependedOnBy", LinkType.DEPENDS_ON, "target"),
    ("RefersTo", LinkType.REFERS_TO, "base"),
    ("ReferredToBy", LinkType.REFERS_TO, "target"),
    ("Members", LinkType.MEMBER_OF, "target"),
    ("MemberOf", LinkType.MEMBER_OF, "base"),
)


def links_form(ticket: Ticket) -> Form:
    form = Form()
    form.add("id", f"ticket/{ticket.pk}/links")
    links = list(
        Link.objects.filter(base=ticket).exclude(type=LinkType.MERGED_INTO)
    ) + list(Link.objects.filter(target=ticket).exclude(type=LinkType.MERGED_INTO))
    for name, link_type, end in LINK_ROWS:
        uris = []
        for link in links:
            if link.type != link_type:
                continue
            if end == "base" and link.base_id == ticket.pk:
                uris.append(
                    ticket_uri(link.target_id) if link.target_id else link.target_uri
                )
            elif end == "target" and link.target_id == ticket.pk:
                uris.append(ticket_uri(link.base_id))
        if uris:
            form.add(name, ", ".join(uris))
    return form


def may_see_user(viewer: User, other: User) -> bool:
    return (
        viewer.pk == other.pk
        or viewer.is_privileged
        or rights.has_right(viewer, rights.ADMIN_USERS)
    )


def user_form(viewer: User, name: str) -> Form:
    other = (
        User.objects.filter(pk=int(name)).first()
        if name.isdigit()
        else User.objects.filter(username=name).first()
    )
    if other is None or not may_see_user(viewer, other):
        raise NotFound(f"User {name} does not exist.")
    form = Form()
    for key, value in (
        ("id", f"user/{other.pk}"),
        ("Name", other.username),
        ("Password", "********"),
        ("EmailAddress", other.email),
        ("RealName", other.real_name),
        ("NickName", ""),
        ("Gecos", ""),
        ("Organization", other.organization),
        ("Lang", other.language),
        ("Timezone", other.time_zone),
        ("Privileged", int(other.is_privileged)),
        ("Disabled", int(not other.is_active)),
    ):
        form.add(key, str(value))
    return form
