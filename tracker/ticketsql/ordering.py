"""ORDER BY for searches: any sortable field, several keys, ties broken by id."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db.models import (
    Case,
    CharField,
    F,
    OrderBy,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast, Lower

from tracker.models import Role, Ticket, TicketWatcher
from tracker.ticketsql import customfields
from tracker.ticketsql.common import Context
from tracker.ticketsql.errors import TicketSQLError

SORT_COLUMNS = {
    "id": "id",
    "effectiveid": "id",
    "subject": "subject",
    "status": "status",
    "type": "type",
    "queue": "queue__name",
    "lifecycle": "queue__lifecycle__name",
    "owner": "owner__username",
    "creator": "creator__username",
    "lastupdatedby": "last_updated_by__username",
    "priority": "priority",
    "initialpriority": "initial_priority",
    "finalpriority": "final_priority",
    "timeworked": "time_worked",
    "timeestimated": "time_estimated",
    "timeleft": "time_left",
    "created": "created",
    "started": "started",
    "resolved": "resolved",
    "due": "due",
    "starts": "starts",
    "told": "told",
    "lastcontacted": "told",
    "lastupdated": "last_updated",
}
# Ticket columns that are never NULL: sorted without a NULLS clause, so that a b-tree
# index (the primary key, `ticket_created`) gives the order in either direction and
# the first page of a large match is read newest first instead of sorted in full.
_NEVER_EMPTY = frozenset({"id", "effectiveid", "created", "lastupdated", "priority"})
# Sorted without regard to case, as people read them.
_TEXT_SORTS = frozenset(
    {"subject", "type", "queue", "lifecycle", "owner", "creator", "lastupdatedby"}
)
_WATCHER_SORTS = {
    "requestor": Role.REQUESTOR,
    "requestors": Role.REQUESTOR,
    "cc": Role.CC,
    "admincc": Role.ADMIN_CC,
}
_CUSTOM_FIELD = re.compile(r"(?:CF|CustomField)\.(?:\{([^{}]+)\}|(\w+))", re.IGNORECASE)


def as_list(value: str | Sequence[str]) -> list[str]:
    if isinstance(value, str):
        # "Priority|Created" or "Priority,Created"; commas inside CF.{…} stay.
        return [part for part in re.split(r"[|,](?![^{]*\})", value) if part.strip()]
    return list(value)


def apply_ordering(
    ctx: Context,
    tickets: QuerySet[Ticket],
    order_by: str | Sequence[str],
    order: str | Sequence[str],
) -> QuerySet[Ticket]:
    """Order by each field of `order_by` in the matching direction of `order`.

    Directions pair up with fields; the last one given applies to the rest. Empty
    dates sort last either way.
    """
    fields = as_list(order_by) or ["id"]
    directions = [d.strip().upper() for d in as_list(order)] or ["ASC"]
    keys: list[OrderBy] = []
    for index, field in enumerate(fields):
        direction = directions[min(index, len(directions) - 1)]
        if direction not in ("ASC", "DESC"):
            raise TicketSQLError(
                f"unknown sort order '{direction}', use ASC or DESC", 0
            )
        expression, alias = _sort_expression(ctx, field.strip(), index)
        if alias:
            tickets = tickets.annotate(**{alias: expression})
            expression = F(alias)
        nulls_last = True if field.strip().lower() not in _NEVER_EMPTY else None
        keys.append(
            expression.desc(nulls_last=nulls_last)
            if direction == "DESC"
            else expression.asc(nulls_last=nulls_last)
        )
    if not any(field.strip().lower() in ("id", "effectiveid") for field in fields):
        keys.append(F("id").asc())
    return tickets.order_by(*keys)


def _sort_expression(
    ctx: Context, field: str, index: int
) -> tuple[F | Lower | Subquery | Cast, str]:
    name = field.lower()
    if name in _TEXT_SORTS:
        return Lower(SORT_COLUMNS[name]), f"ticketsql_sort_{index}"
    if name in SORT_COLUMNS:
        return F(SORT_COLUMNS[name]), ""
    role = _WATCHER_SORTS.get(name.split(".")[0])
    if role is not None:
        first = (
            TicketWatcher.objects.filter(ticket_id=OuterRef("pk"), role=role)
            .exclude(user__isnull=True)
            .annotate(email=Lower("user__email"))
            .order_by("email")
            .values("email")[:1]
        )
        return Subquery(first), f"ticketsql_sort_{index}"
    match = _CUSTOM_FIELD.fullmatch(field.strip("'\""))
    if match:
        name = (match.group(1) or match.group(2)).strip()
        first = Subquery(
            customfields.values_of(name).order_by("sort_key").values("sort_key")[:1]
        )
        visible = customfields.visible_to(ctx)
        if visible is not None:
            # Hidden values sort as empty ones, so the order reveals nothing.
            # The cast keeps it an expression when no ticket qualifies: PostgreSQL
            # refuses a bare NULL in ORDER BY.
            first = Cast(Case(When(visible, then=first), default=None), CharField())
        return first, f"ticketsql_sort_{index}"
    raise TicketSQLError(f"cannot sort by '{field}'", 0)
