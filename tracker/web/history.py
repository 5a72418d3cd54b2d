"""Turns a page of Transaction rows into readable history entries.

History stores raw keys (user ids, queue ids, custom field ids, ISO dates); labels are
rendered here, at display time, with one bulk query per kind of key so that the ticket
page costs the same number of queries whatever the length of its history.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from queues.models import Queue
from tracker.models import (
    CustomField,
    Group,
    LinkType,
    Transaction,
    TransactionType,
    User,
)

T = TransactionType

# Sanitised mail keeps structure and links but never images (tracking pixels, SSRF),
# styles, scripts or event handlers.
HTML_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

DATE_FIELDS = {"Starts", "Started", "Due", "Resolved", "Told"}
MINUTE_FIELDS = {"TimeEstimated", "TimeWorked", "TimeLeft"}
FIELD_LABELS = {
    "Subject": gettext_lazy("Subject"),
    "Priority": gettext_lazy("Priority"),
    "InitialPriority": gettext_lazy("Initial priority"),
    "FinalPriority": gettext_lazy("Final priority"),
    "TimeEstimated": gettext_lazy("Time estimated"),
    "TimeWorked": gettext_lazy("Time worked"),
    "TimeLeft": gettext_lazy("Time left"),
    "Starts": gettext_lazy("Starts"),
    "Started": gettext_lazy("Started"),
    "Due": gettext_lazy("Due"),
    "Resolved": gettext_lazy("Resolved"),
    "Told": gettext_lazy("Last contacted"),
    "Queue": gettext_lazy("Queue"),
    "Owner": gettext_lazy("Owner"),
}
LINK_LABELS = {
    "DependsOn": gettext_lazy("Depends on"),
    "DependedOnBy": gettext_lazy("Depended on by"),
    "MemberOf": gettext_lazy("Child of"),
    "HasMember": gettext_lazy("Parent of"),
    "RefersTo": gettext_lazy("Refers to"),
    "ReferredToBy": gettext_lazy("Referred to by"),
}
ROLE_LABELS = {
    "Requestor": gettext_lazy("Requestor"),
    "Cc": gettext_lazy("Cc"),
    "AdminCc": gettext_lazy("AdminCc"),
}


def sanitize_html(html: str) -> SafeString:
    """Mail HTML made safe to embed: allow-listed tags, http(s)/mailto links only."""
    cleaned = nh3.clean(
        html,
        tags=set(HTML_TAGS),
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is sanitised HTML


def html_to_text(html: str) -> SafeString:
    """The text of an HTML part: every tag dropped, the text still HTML-escaped."""
    return mark_safe(nh3.clean(html, tags=set()))  # noqa: S308 - no tags survive


@dataclass(frozen=True)
class Block:
    """A run of message lines; quoted runs ("> ...") are folded in the page."""

    text: str
    is_quote: bool


def split_quotes(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines: list[str] = []
    quoting = False
    for line in text.replace("\r\n", "\n").split("\n"):
        is_quote = line.lstrip().startswith(">")
        if lines and is_quote != quoting:
            blocks.append(Block("\n".join(lines), quoting))
            lines = []
        quoting = is_quote
        lines.append(line)
    if lines:
        blocks.append(Block("\n".join(lines).rstrip("\n"), quoting))
    return [b for b in blocks if b.text.strip()]


def render_blocks(blocks: Sequence[Block]) -> SafeString:
    """One text part as the page shows it: quoted runs folded under a summary."""
    summary = escape(_("Quoted text"))
    out = ['<div class="message">']
    for block in blocks:
        text = escape(block.text)
        if block.is_quote:
            out.append(
                f'<details class="quote"><summary>{summary}</summary>'
                f"<pre>{text}</pre></details>"
            )
        else:
            out.append(f"<pre>{text}</pre>")
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


class RenderedBodies:
    """Rendered message parts, kept per process and reused across requests.

    A part's content never changes once stored (history is append-only), so the
    rendered HTML can be reused; the key still carries the content's length and hash,
    so a reused row id (a rolled-back test database) never shows another body. Large
    parts are rendered each time rather than held in memory.
    """

    MAX_ENTRIES = 4096
    MAX_CONTENT = 256 * 1024

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, tuple[SafeString, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, part: object, kind: str) -> tuple[SafeString, ...]:
        content: str = part.content  # type: ignore[attr-defined]
        if len(content) > self.MAX_CONTENT:
            return self._render(kind, content)
        key = (part.pk, kind, len(content), hash(content), translation.get_language())  # type: ignore[attr-defined]
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        rendered = self._render(kind, content)
        with self._lock:
            self._items[key] = rendered
            while len(self._items) > self.MAX_ENTRIES:
                self._items.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    @staticmethod
    def _render(kind: str, content: str) -> tuple[SafeString, ...]:
        if kind == "html":
            return (sanitize_html(content), html_to_text(content))
        return (render_blocks(split_quotes(content)),)


rendered_bodies = RenderedBodies()
NO_TEXT = SafeString("")


@dataclass
class Entry:
    """One transaction ready for the template."""

    txn: Transaction
    summary: str
    is_message: bool = False
    is_comment: bool = False
    is_outgoing: bool = False
    plain: SafeString = NO_TEXT
    html: SafeString | None = None
    html_as_text: SafeString | None = None
    files: list = field(default_factory=list)

    @property
    def css(self) -> str:
        if self.is_comment:
            return "entry comment"
        if self.is_outgoing:
            return "entry outgoing"
        if self.is_message:
            return "entry reply"
        return "entry change"


@dataclass
class Names:
    """Labels for the raw keys found in one page of history."""

    users: dict[int, User] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    queues: dict[int, Queue] = field(default_factory=dict)
    fields: dict[int, CustomField] = field(default_factory=dict)

    def user(self, raw: str) -> str:
        found = self.users.get(_int(raw))
        return found.display_name if found else (raw or _("(none)"))

    def principal(self, raw: str, data: dict) -> str:
        if data.get("principal_type") == "group":
            group = self.groups.get(_int(raw))
            return _("group %(name)s") % {"name": group.name} if group else raw
        return self.user(raw)

    def queue(self, raw: str) -> str:
        found = self.queues.get(_int(raw))
        return found.name if found else raw

    def custom_field(self, raw: str) -> str:
        found = self.fields.get(_int(raw))
        return found.name if found else _("Custom field %(id)s") % {"id": raw}


def _int(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


def collect_names(txns: Sequence[Transaction]) -> Names:
    """One query per kind of key present on the page (users, groups, queues, fields)."""
    user_ids: set[int] = set()
    group_ids: set[int] = set()
    queue_ids: set[int] = set()
    field_ids: set[int] = set()
    for txn in txns:
        values = {_int(txn.old_value), _int(txn.new_value)} - {-1}
        if txn.type == T.SET and txn.field == "Owner":
            user_ids |= values
        elif txn.type == T.SET and txn.field == "Queue":
            queue_ids |= values
        elif txn.type in (T.ADD_WATCHER, T.DEL_WATCHER, T.SET_WATCHER):
            if (txn.data or {}).get("principal_type") == "group":
                group_ids |= values
            else:
                user_ids |= values
        elif txn.type == T.CUSTOM_FIELD:
            field_ids.add(_int(txn.field))
    names = Names()
    if user_ids:
        names.users = User.objects.in_bulk(user_ids)
    if group_ids:
        names.groups = Group.objects.in_bulk(group_ids)
    if queue_ids:
        names.queues = Queue.objects.in_bulk(queue_ids)
    if field_ids:
        names.fields = CustomField.objects.in_bulk(field_ids)
    return names


def _date(raw: str) -> str:
    if not raw:
        return _("(not set)")
    parsed = parse_datetime(raw)
    if parsed is None:
        return raw
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "DATETIME_FORMAT")


def _minutes(raw: str) -> str:
    minutes = _int(raw)
    if minutes < 0:
        return raw
    return format_minutes(minutes)


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}


def _owner_summary(txn: Transaction, names: Names) -> str:
    old, new = names.user(txn.old_value), names.user(txn.new_value)
    old_user = names.users.get(_int(txn.old_value))
    new_user = names.users.get(_int(txn.new_value))
    actor_id = str(txn.creator_id)
    verb = (txn.data or {}).get("verb")
    if verb == "steal":
        return _("Stolen from %(old)s") % {"old": old}
    if old_user and old_user.is_nobody and txn.new_value == actor_id:
        return _("Taken")
    if new_user and new_user.is_nobody and txn.old_value == actor_id:
        return _("Untaken")
    if (txn.data or {}).get("reason"):
        return _("Owner set to %(new)s because %(reason)s") % {
            "new": new,
            "reason": txn.data["reason"],
        }
    return _("Owner changed from %(old)s to %(new)s") % {"old": old, "new": new}


def summarize(txn: Transaction, names: Names) -> str:
    """A short readable line for one transaction."""
    kind, fld, old, new = txn.type, txn.field, txn.old_value, txn.new_value
    data = txn.data or {}
    if kind == T.CREATE:
        return _("Ticket created")
    if kind == T.CORRESPOND:
        return _("Reply")
    if kind == T.COMMENT:
        return _("Comment (not sent to requestors)")
    if kind == T.STATUS:
        return _("Status changed from %(old)s to %(new)s") % {"old": old, "new": new}
    if kind == T.SET and fld == "Owner":
        return _owner_summary(txn, names)
    if kind == T.SET and fld == "Queue":
        return _("Queue changed from %(old)s to %(new)s") % {
            "old": names.queue(old),
            "new": names.queue(new),
        }
    if kind == T.SET and fld == "TimeWorked":
        return _("Time worked changed from %(old)s to %(new)s") % {
            "old": _minutes(old),
            "new": _minutes(new),
        }
    if kind in (T.SET, T.TOLD):
        label = str(FIELD_LABELS.get(fld, fld))
        if fld in DATE_FIELDS:
            old, new = _date(old), _date(new)
        elif fld in MINUTE_FIELDS:
            old, new = _minutes(old), _minutes(new)
        return _("%(field)s changed from %(old)s to %(new)s") % {
            "field": label,
            "old": old or _("(empty)"),
            "new": new or _("(empty)"),
        }
    if kind in (T.ADD_WATCHER, T.SET_WATCHER):
        return _("%(who)s added as %(role)s") % {
            "who": names.principal(new, data),
            "role": str(ROLE_LABELS.get(fld, fld)),
        }
    if kind == T.DEL_WATCHER:
        return _("%(who)s removed as %(role)s") % {
            "who": names.principal(old, data),
            "role": str(ROLE_LABELS.get(fld, fld)),
        }
    if kind in (T.ADD_LINK, T.DELETE_LINK):
        return _link_summary(txn)
    if kind == T.CUSTOM_FIELD:
        name = names.custom_field(fld)
        if old and new:
            return _("%(field)s changed from %(old)s to %(new)s") % {
                "field": name,
                "old": old,
                "new": new,
            }
        if new:
            return _("%(field)s: %(value)s added") % {"field": name, "value": new}
        return _("%(field)s: %(value)s removed") % {"field": name, "value": old}
    if kind in (T.EMAIL_RECORD, T.COMMENT_EMAIL_RECORD):
        return _("Outgoing mail recorded")
    return txn.get_type_display()


def _link_summary(txn: Transaction) -> str:
    fld, old, new = txn.field, txn.old_value, txn.new_value
    other = new or old
    shown = f"#{other}" if other.isdigit() else other
    if fld == LinkType.MERGED_INTO:
        if (txn.data or {}).get("merged") or (old and not new):
            return _("Ticket #%(n)s merged into this one") % {"n": old}
        return _("Merged into #%(n)s") % {"n": new}
    label = str(LINK_LABELS.get(fld, fld))
    if txn.type == T.ADD_LINK:
        return _("Link added: %(label)s %(other)s") % {"label": label, "other": shown}
    return _("Link removed: %(label)s %(other)s") % {"label": label, "other": shown}


def _fill_message(entry: Entry, parts: Iterable) -> None:
    plain: list[str] = []
    for part in parts:
        if part.is_multipart:
            continue
        if part.filename or not part.is_text:
            entry.files.append(part)
        elif part.content_type == "text/html":
            if entry.html is None:
                entry.html, entry.html_as_text = rendered_bodies.get(part, "html")
        elif part.content:
            plain.append(rendered_bodies.get(part, "plain")[0])
    if plain:
        entry.plain = mark_safe("".join(plain))  # noqa: S308 - rendered and escaped above


def build_entries(txns: Sequence[Transaction]) -> list[Entry]:
    """Entries for a page of transactions fetched with `attachments` prefetched."""
    names = collect_names(txns)
    entries = []
    for txn in txns:
        entry = Entry(txn=txn, summary=summarize(txn, names))
        entry.is_comment = txn.type in (T.COMMENT, T.COMMENT_EMAIL_RECORD)
        entry.is_outgoing = txn.type in (T.EMAIL_RECORD, T.COMMENT_EMAIL_RECORD)
        entry.is_message = txn.type in (T.CREATE, T.CORRESPOND, T.COMMENT) or (
            entry.is_outgoing
        )
        if entry.is_message:
            _fill_message(entry, txn.attachments.all())
        entries.append(entry)
    return entries
