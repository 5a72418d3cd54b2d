"""Applying submitted ticket forms (create and edit) through the services.

Each form is all-or-nothing: every field is tried (so that every problem is reported
at once), each in its own savepoint, and if any failed the whole form rolls back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from dateutil import parser as date_parser
from django.db import transaction
from django.utils import timezone

from queues.models import Queue
from tracker import queries, rights, services
from tracker.api.rest1.forms import Form, Value, split_values
from tracker.api.rest1.render import (
    DATE_FIELDS,
    NOT_SET,
    PEOPLE,
    format_date,
    principal_label,
    user_zone,
)
from tracker.errors import DomainError, NotFound, ValidationFailed
from tracker.models import CustomField, Ticket, User
from tracker.principals import nobody
from tracker.services.customfields import custom_fields_for_queue
from tracker.services.principals import resolve_user

CF_KEY = re.compile(r"^(?:CF\.\{(?P<a>.+)\}|C(?:ustom)?F(?:ield)?-(?P<b>.+))$", re.I)
SIMPLE = {
    "subject": "subject",
    "priority": "priority",
    "initialpriority": "initial_priority",
    "finalpriority": "final_priority",
    "timeestimated": "time_estimated",
    "timeworked": "time_worked",
    "timeleft": "time_left",
}
DATES = {key.lower(): attr for attr, key in DATE_FIELDS.items()}
PEOPLE_KEYS = {"requestors": "Requestors", "requestor": "Requestors"} | {
    key.lower(): key for key in PEOPLE
}
READ_ONLY = {"id", "creator", "created", "lastupdated", "type"}


@dataclass
class Outcome:
    """What happened to one form: comment lines, and whether it failed."""

    comments: list[str] = field(default_factory=list)
    failed: bool = False
    echo: Form | None = None  # the submitted form, sent back when it failed


def single(value: Value) -> str:
    if isinstance(value, list):
        if len(value) > 1:
            raise ValidationFailed("may have only one value.")
        return value[0] if value else ""
    return value


def cf_name(key: str) -> str | None:
    match = CF_KEY.match(key)
    return (match.group("a") or match.group("b")) if match else None


def parse_minutes(text: str) -> int:
    match = re.fullmatch(r"\s*(-?\d+)\s*(?:minutes?|min)?\s*", text or "0")
    if match is None:
        raise ValidationFailed(f"'{text}' is not a number of minutes.")
    return int(match.group(1))


def parse_date(text: str, user: User) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    zone = user_zone(user)
    today = datetime.combine(timezone.localdate(timezone=zone), time(), tzinfo=zone)
    try:
        value = date_parser.parse(text, default=today)
    except (ValueError, OverflowError):
        raise ValidationFailed(f"'{text}' is not a date.") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _custom_field(queue_id: int, name: str) -> CustomField:
    for cf in custom_fields_for_queue(queue_id):
        if cf.name.casefold() == name.casefold():
            return cf
    raise NotFound(f"Unknown custom field '{name}'.")


def cf_values(cf: CustomField, value: Value) -> list[str]:
    if cf.is_single:
        text = single(value)
        return [text] if text else []
    return split_values(value)


def find_queue(name: str) -> Queue:
    name = name.strip()
    queue = (
        Queue.objects.filter(pk=int(name)).first()
        if name.isdigit()
        else Queue.objects.filter(name__iexact=name).first()
    )
    if queue is None:
        raise NotFound(f"Queue '{name}' does not exist.")
    return queue


def _owner(name: str) -> User | None:
    name = name.strip()
    if not name or name.lower() == "nobody":
        return None
    return resolve_user(name)


def new_ticket_form(user: User) -> Form:
    """The blank form `rt create` fills in, with the defaults of the user's first queue."""
    creatable = rights.queues_with_right(user, rights.CREATE_TICKET).filter(
        is_active=True
    )
    queue = creatable.filter(name="General").first() or creatable.first()
    form = Form(comment="# Required: id, Queue")
    zone = user_zone(user)
    due = ""
    if queue is not None and queue.default_due_days:
        due = format_date(timezone.now() + timedelta(days=queue.default_due_days), zone)
    for key, value in (
        ("id", "ticket/new"),
        ("Queue", queue.name if queue else ""),
        ("Requestor", user.username),
        ("Subject", ""),
        ("Cc", ""),
        ("AdminCc", ""),
        ("Owner", ""),
        ("Status", ""),
        ("Priority", str(queue.initial_priority) if queue else "0"),
        ("InitialPriority", str(queue.initial_priority) if queue else "0"),
        ("FinalPriority", str(queue.final_priority) if queue else "0"),
        ("TimeEstimated", "0"),
        ("Starts", ""),
        ("Due", due),
        ("Text", ""),
    ):
        form.add(key, value)
    return form


def create_from_form(form: Form, user: User, uploads: list[services.Upload]) -> Outcome:
    outcome = Outcome()
    kwargs: dict = {"uploads": uploads}
    custom: dict[str, list[str]] = {}
    queue_name = ""
    errors: list[str] = []
    for key, value in form.values.items():
        lower = key.lower()
        try:
            if lower in ("id", "attachment", "started", "resolved"):
                continue
            if lower == "queue":
                queue_name = single(value)
            elif lower in PEOPLE_KEYS:
                target = {"Requestors": "requestors", "Cc": "cc", "AdminCc": "admin_cc"}
                kwargs[target[PEOPLE_KEYS[lower]]] = split_values(value)
            elif lower == "subject":
                kwargs["subject"] = single(value)
            elif lower == "owner":
                kwargs["owner"] = _owner(single(value))
            elif lower == "status":
                kwargs["status"] = single(value) or None
            elif lower in ("priority", "initialpriority", "finalpriority"):
                text = single(value).strip()
                if text:
                    kwargs[SIMPLE[lower]] = parse_minutes(text)
            elif lower in ("timeestimated", "timeworked", "timeleft"):
                kwargs[SIMPLE[lower]] = parse_minutes(single(value))
            elif lower in ("starts", "due"):
                text = single(value)
                if text.lower() != NOT_SET.lower():
                    kwargs[lower] = parse_date(text, user)
            elif lower == "text":
                kwargs["body"] = single(value)
            elif lower == "content-type":
                kind = single(value).strip().lower() or "text/plain"
                if kind not in ("text/plain", "text/html"):
                    raise ValidationFailed("must be text/plain or text/html.")
                kwargs["content_type"] = kind
            elif cf_name(key) is not None:
                custom[cf_name(key)] = split_values(value)  # type: ignore[index]
            else:
                errors.append(f"{key}: Unknown field")
        except DomainError as error:
            errors.append(f"{key}: {error.message}")
    if not queue_name:
        errors.append("Queue: A queue is required.")
    if errors:
        return Outcome(["Could not create ticket.", *errors], True, form)
    try:
        with transaction.atomic():
            queue = find_queue(queue_name)
            if custom:
                kwargs["custom_fields"] = {
                    cf.name: cf_values(cf, raw)
                    for cf, raw in (
                        (_custom_field(queue.pk, name), raw)
                        for name, raw in custom.items()
                    )
                }
            ticket = services.create_ticket(queue=queue, actor=user, **kwargs)
    except DomainError as error:
        return Outcome(["Could not create ticket.", error.message], True, form)
    outcome.comments.append(f"Ticket {ticket.pk} created.")
    return outcome


def edit_from_form(form: Form, user: User, number: int) -> Outcome:
    """Apply a form to ticket `number`: all of it, or nothing."""
    try:
        ticket = queries.get_ticket_for(user, number)
    except NotFound:
        return Outcome([f"Ticket {number} does not exist."], True)
    errors: list[str] = []
    with transaction.atomic():
        for key, value in form.values.items():
            try:
                with transaction.atomic():
                    ticket = Ticket.objects.select_related(
                        "queue__lifecycle", "owner"
                    ).get(pk=ticket.pk)
                    _apply(ticket, user, key, value)
            except DomainError as error:
                errors.append(f"{key}: {error.message}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        return Outcome(errors, True, form)
    return Outcome([f"Ticket {ticket.pk} updated."])


def _apply(ticket: Ticket, user: User, key: str, value: Value) -> None:
    lower = key.lower()
    if lower in READ_ONLY:
        return
    if lower == "queue":
        name = single(value).strip()
        if name.lower() != ticket.queue.name.lower():
            services.move_ticket(ticket=ticket, queue=find_queue(name), actor=user)
    elif lower == "owner":
        owner = _owner(single(value)) or nobody()
        if owner.pk != ticket.owner_id:
            services.set_owner(ticket=ticket, owner=owner, actor=user)
    elif lower == "status":
        status = single(value).strip().lower()
        if status and status != ticket.status:
            services.set_status(ticket=ticket, status=status, actor=user)
    elif lower in SIMPLE:
        text = single(value)
        new = text if lower == "subject" else parse_minutes(text)
        services.set_fields(ticket=ticket, actor=user, **{SIMPLE[lower]: new})
    elif lower in DATES:
        _apply_date(ticket, user, DATES[lower], single(value))
    elif lower in PEOPLE_KEYS:
        _apply_people(ticket, user, PEOPLE[PEOPLE_KEYS[lower]], value)
    elif cf_name(key) is not None:
        cf = _custom_field(ticket.queue_id, cf_name(key))  # type: ignore[arg-type]
        services.set_custom_field(
            ticket=ticket, field=cf, values=cf_values(cf, value), actor=user
        )
    elif lower in ("attachment", "content-type"):
        return
    else:
        raise ValidationFailed("Unknown field.")


def _apply_date(ticket: Ticket, user: User, attr: str, text: str) -> None:
    if attr in ("created", "last_updated"):
        return
    current = getattr(ticket, attr)
    if text.strip().lower() == NOT_SET.lower():
        return
    if text.strip() == format_date(current, user_zone(user)):
        return
    services.set_fields(ticket=ticket, actor=user, **{attr: parse_date(text, user)})


def _apply_people(ticket: Ticket, user: User, role: str, value: Value) -> None:
    wanted = {item.strip() for item in split_values(value) if item.strip()}
    current = {
        principal_label(w): w
        for w in ticket.watchers.filter(role=role).select_related("user", "group")
    }
    lowered = {label.lower(): label for label in current}
    wanted_lower = {item.lower() for item in wanted}
    for label, watcher in current.items():
        if label.lower() not in wanted_lower:
            services.remove_watcher(
                ticket=ticket, role=role, principal=watcher.principal, actor=user
            )
    for item in wanted:
        if item.lower() not in lowered:
            services.add_watcher(ticket=ticket, role=role, principal=item, actor=user)
