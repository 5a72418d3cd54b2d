"""Rendering mail templates in a sandbox: a Django engine with a reduced tag set, no loaders,
and a context of plain values (never model instances), so a template cannot reach
anything but what is listed here."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.html import strip_tags

from queues.models import Queue
from tracker.mail import sanitize_header_value, subject_tag
from tracker.models import Attachment, Ticket, Transaction, TransactionType, User

_HEADER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$")


class TemplateError(Exception):
    """A template that does not parse or render; the scrip run is marked failed."""


@dataclass
class RenderedMail:
    subject: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise TypeError("Template values are read-only.")


_refuse.alters_data = True  # type: ignore[attr-defined]


class ReadOnlyRecord(dict):
    """A context value: lookups work, and the mutating methods a template could reach
    as attributes (`{{ ticket.clear }}`) are marked `alters_data`, so Django's engine
    never calls them."""

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse


def freeze(value: Any) -> Any:
    """Dicts become ReadOnlyRecords and lists tuples, all the way down."""
    if isinstance(value, dict):
        return ReadOnlyRecord({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


class _SandboxEngine(Engine):
    # Engine always prepends its default builtins (with `debug`, `load`, `include`...).
    default_builtins: ClassVar[list[str]] = []


@cache
def _engine(*, is_html: bool) -> Engine:
    return _SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=["scrips.sandbox"],
        autoescape=is_html,
        string_if_invalid="",
    )


def _split(content: str) -> tuple[list[str], str]:
    """Header lines (with continuations joined) and the body. A template whose first
    line is not a header has no headers."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: list[str] = []
    for index, line in enumerate(lines):
        if line.strip() == "":
            return headers, "\n".join(lines[index + 1 :])
        if line[:1] in (" ", "\t") and headers:
            headers[-1] += " " + line.strip()
        elif _HEADER.match(line):
            headers.append(line)
        else:
            return [], content
    return headers, ""


def _render(source: str, context: dict[str, Any], *, is_html: bool) -> str:
    try:
        return (
            _engine(is_html=is_html)
            .from_string(source)
            .render(Context(context, autoescape=is_html))
        )
    except TemplateSyntaxError as exc:
        raise TemplateError(str(exc)) from exc
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        RecursionError,
    ) as exc:
        # A method a template called on a value (e.g. `{{ ticket.subject.format }}`
        # on a subject holding "{0}") failed: this template's fault, not the run's.
        raise TemplateError(f"{type(exc).__name__}: {exc}") from exc


def render_template(content: str, context: dict[str, Any]) -> RenderedMail | None:
    """Render `content`; None when the template is empty (the mail is suppressed)."""
    if not content.strip():
        return None
    context = freeze(context)
    raw_headers, body = _split(content)
    is_html = any(
        _HEADER.match(line).group(1).lower() == "content-type"  # type: ignore[union-attr]
        and "text/html" in line.lower()
        for line in raw_headers
    )
    mail = RenderedMail()
    for line in raw_headers:
        name, value = _HEADER.match(line).groups()  # type: ignore[union-attr]
        if name.lower() == "content-type":
            continue
        # Values come from tickets and users: one line each, never an extra header.
        value = sanitize_header_value(_render(value, context, is_html=False))
        if name.lower() == "subject":
            mail.subject = value
        elif value:
            mail.headers.append((name, value))
    rendered = _render(body, context, is_html=is_html)
    if is_html:
        mail.body_html = rendered
        mail.body_text = html.unescape(strip_tags(rendered))
    else:
        mail.body_text = rendered
    return mail


def _user(user: User | None) -> dict[str, str]:
    if user is None:
        return {"name": "", "email": "", "username": ""}
    return {
        "name": user.display_name,
        "email": user.email,
        "username": user.username,
    }


def transaction_content(txn: Transaction) -> str:
    """The text of the transaction's message: its first text part."""
    parts = list(
        Attachment.objects.filter(
            transaction=txn, content_type__in=("text/plain", "text/html")
        )
        .order_by("id")
        .values_list("content_type", "content")[:5]
    )
    for content_type, content in parts:
        if content_type == "text/plain":
            return content
    return html.unescape(strip_tags(parts[0][1])) if parts else ""


def _label(field_name: str, value: str) -> str:
    if not value:
        return "(none)"
    if field_name == "Owner" and value.isdigit():
        user = User.objects.filter(pk=int(value)).first()
        return user.username if user else value
    if field_name == "Queue" and value.isdigit():
        queue = Queue.objects.filter(pk=int(value)).first()
        return queue.name if queue else value
    return value


def describe(txn: Transaction) -> str:
    """A one-line description of a transaction, as shown in history and mail."""
    match txn.type:
        case TransactionType.CREATE:
            return "Ticket created"
        case TransactionType.CORRESPOND:
            return "Correspondence added"
        case TransactionType.COMMENT:
            return "Comments added"
        case TransactionType.STATUS:
            return f"Status changed from '{txn.old_value}' to '{txn.new_value}'"
        case TransactionType.SET:
            old, new = (
                _label(txn.field, txn.old_value),
                _label(txn.field, txn.new_value),
            )
            return f"{txn.field} changed from '{old}' to '{new}'"
    return str(txn.type)


def _transaction(txn: Transaction) -> dict[str, Any]:
    return {
        "id": txn.pk,
        "type": str(txn.type),
        "field": txn.field,
        "old_value": _label(txn.field, txn.old_value),
        "new_value": _label(txn.field, txn.new_value),
        "description": describe(txn),
        "content": transaction_content(txn),
        "subject": str((txn.data or {}).get("subject", "")),
        "created": txn.created,
        "actor": _user(txn.creator),
    }


def template_context(
    *,
    ticket: Ticket,
    txn: Transaction,
    batch: list[Transaction] | None = None,
) -> dict[str, Any]:
    """Everything a template may read. Plain values only: no model instances."""
    rtname = getattr(settings, "TRACKER_RTNAME", "tracker")
    web = getattr(settings, "WEB_BASE_URL", "").rstrip("/")
    queue = ticket.queue
    requestors = [
        _user(w.user)
        for w in ticket.watchers.filter(role="Requestor", user__isnull=False)
        .select_related("user")
        .order_by("id")
    ]
    return {
        "rtname": rtname,
        "web_url": web,
        "ticket": {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "queue": queue.name,
            "owner": _user(None if ticket.owner.is_nobody else ticket.owner),
            "requestors": requestors,
            "requestor": requestors[0] if requestors else _user(None),
            "created": ticket.created,
            "due": ticket.due,
            "subject_tag": subject_tag(queue.subject_tag or rtname, ticket.pk),
            "url": f"{web}{ticket.get_absolute_url()}",
        },
        "queue": {
            "name": queue.name,
            "correspond_address": queue.correspond_address,
            "comment_address": queue.comment_address,
        },
        "transaction": _transaction(txn),
        "batch": [_transaction(t) for t in (batch or [txn])],
    }
