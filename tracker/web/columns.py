"""Result columns the search page and its CSV export can show, chosen and ordered by
the user (`col` parameters, in order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy

from tracker.models import Role, Ticket, TicketWatcher


@dataclass(frozen=True)
class Column:
    key: str  # also the TicketSQL sort key, when `sortable`
    label: object
    value: Callable[[Ticket], object]
    sortable: bool = True
    kind: str = "text"  # text, number, date, status, link

    def cell(self, ticket: Ticket) -> SafeString:
        """The table cell, built here rather than by a template include per cell: a
        page of 100 rows has up to 1,200 cells."""
        value = self.value(ticket)
        url = ticket.get_absolute_url()
        if self.key == "id":
            return format_html('<td class="num"><a href="{}">{}</a></td>', url, value)
        if self.kind == "number":
            return format_html('<td class="num">{}</td>', value)
        if self.kind == "link":
            return format_html(
                '<td class="subject"><a href="{}">{}</a></td>', url, value
            )
        if self.kind == "status":
            return format_html(
                '<td><span class="status status-{}">{}</span></td>',
                slugify(value),
                value,
            )
        if self.kind == "date":
            if not value:
                return mark_safe("<td></td>")
            local = timezone.localtime(value)
            shown = (
                timesince(value)
                if self.key == "LastUpdated"
                else date_format(local, "SHORT_DATETIME_FORMAT")
            )
            return format_html(
                '<td><time datetime="{}" title="{}">{}</time></td>',
                local.isoformat(),
                date_format(local, "DATETIME_FORMAT"),
                shown,
            )
        return format_html("<td>{}</td>", value)


def _requestors(ticket: Ticket) -> str:
    return ", ".join(
        (w.user.email or w.user.username) if w.user else w.group.name
        for w in ticket.requestor_rows
    )


COLUMNS: dict[str, Column] = {
    c.key.lower(): c
    for c in (
        Column("id", gettext_lazy("#"), lambda t: t.pk, kind="number"),
        Column("Subject", gettext_lazy("Subject"), lambda t: t.subject, kind="link"),
        Column("Queue", gettext_lazy("Queue"), lambda t: t.queue.name),
        Column("Status", gettext_lazy("Status"), lambda t: t.status, kind="status"),
        Column("Owner", gettext_lazy("Owner"), lambda t: t.owner.display_name),
        Column(
            "Requestors",
            gettext_lazy("Requestors"),
            _requestors,
            sortable=False,
        ),
        Column(
            "Priority", gettext_lazy("Priority"), lambda t: t.priority, kind="number"
        ),
        Column("Created", gettext_lazy("Created"), lambda t: t.created, kind="date"),
        Column("Due", gettext_lazy("Due"), lambda t: t.due, kind="date"),
        Column("Resolved", gettext_lazy("Resolved"), lambda t: t.resolved, kind="date"),
        Column(
            "LastUpdated",
            gettext_lazy("Updated"),
            lambda t: t.last_updated,
            kind="date",
        ),
        Column(
            "TimeWorked",
            gettext_lazy("Time worked"),
            lambda t: t.time_worked,
            kind="number",
        ),
    )
}
DEFAULT = (
    "id",
    "Subject",
    "Queue",
    "Status",
    "Owner",
    "Priority",
    "Due",
    "LastUpdated",
)
SLOTS = 8


def pick(keys: list[str]) -> list[Column]:
    """Columns by key (case-insensitive, comma lists allowed), in order, unknown and
    repeated ones dropped; the default set when nothing is left."""
    names = [k.strip().lower() for raw in keys for k in raw.split(",") if k.strip()]
    picked: list[Column] = []
    for name in names:
        column = COLUMNS.get(name)
        if column is not None and column not in picked:
            picked.append(column)
    return picked or [COLUMNS[k.lower()] for k in DEFAULT]


def chosen(params: QueryDict) -> list[Column]:
    """The columns the request asks for (`col` parameters)."""
    return pick(params.getlist("col"))


def prepare(tickets: QuerySet[Ticket], columns: list[Column]) -> QuerySet[Ticket]:
    """Fetch what the columns read in a constant number of queries."""
    tickets = tickets.select_related("queue", "owner")
    if any(c.key == "Requestors" for c in columns):
        tickets = tickets.prefetch_related(
            Prefetch(
                "watchers",
                queryset=TicketWatcher.objects.filter(role=Role.REQUESTOR)
                .select_related("user", "group")
                .order_by("id"),
                to_attr="requestor_rows",
            )
        )
    return tickets
