"""Team metrics, read only: every number is an SQL aggregate over the tickets a user may see.

Created vs resolved per day, open tickets by queue and status, time to first response and
time to resolve (median and 90th percentile), backlog age, per-owner load and a breakdown by
a select custom field. Each function takes `visible_tickets(user)` (already filtered by
rights in SQL), so nobody learns counts about tickets they may not see.

Percentiles run in the database: `percentile_cont` on PostgreSQL; elsewhere (SQLite) the
same continuous percentile is computed from a count and the one or two ordered rows around
the rank, fetched with LIMIT/OFFSET, so no ticket list is loaded into Python either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from lifecycles import registry
from queues.models import Queue
from tracker import queries, rights
from tracker.models import (
    CustomField,
    CustomFieldValue,
    Ticket,
    Transaction,
    TransactionType,
    User,
)

AGE_BUCKETS = (("under_1d", 1), ("1_7d", 7), ("7_30d", 30))
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` inclusive, in the current time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        return _midnight(self.start)

    @property
    def until(self) -> datetime:
        return _midnight(self.end + timedelta(days=1))

    @classmethod
    def last(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """A valid period: swapped if reversed, at most MAX_DAYS long (kept at the end)."""
        if end < start:
            start, end = end, start
        if (end - start).days >= MAX_DAYS:
            start = end - timedelta(days=MAX_DAYS - 1)
        return cls(start=start, end=end)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def _percentiles_in_sql(
    rows: QuerySet, fractions: dict[str, float]
) -> dict[str, timedelta | None]:
    """Continuous percentiles of the `duration` annotation of `rows`."""
    rows = rows.filter(duration__isnull=False)
    if connection.vendor == "postgresql":
        result = rows.aggregate(
            **{
                key: Percentile("duration", fraction, output_field=DurationField())
                for key, fraction in fractions.items()
            }
        )
        return dict(result)
    count = rows.count()
    ordered = rows.order_by("duration").values_list("duration", flat=True)
    result: dict[str, timedelta | None] = {}
    for key, fraction in fractions.items():
        if count == 0:
            result[key] = None
            continue
        # The same definition as percentile_cont: interpolate at rank fraction*(n-1).
        rank = fraction * (count - 1)
        low = math.floor(rank)
        pair = list(ordered[low : low + 2])
        if len(pair) == 1 or rank == low:
            result[key] = pair[0]
        else:
            result[key] = pair[0] + (pair[1] - pair[0]) * (rank - low)
    return result


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def _duration_summary(rows: QuerySet) -> dict[str, Any]:
    values = _percentiles_in_sql(rows, {"median": 0.5, "p90": 0.9})
    return {
        "count": rows.filter(duration__isnull=False).count(),
        "median": _hours(values["median"]),
        "p90": _hours(values["p90"]),
    }


def inactive_statuses() -> set[str]:
    """Every status that some lifecycle calls inactive (resolved, rejected, ...)."""
    names: set[str] = set()
    for name in registry.lifecycle_names():
        names |= set(registry.get_lifecycle(name).inactive)
    return names


def tickets_for(user: User, queue: Queue | None = None) -> QuerySet[Ticket]:
    """The tickets a user may see, optionally in one queue."""
    tickets = queries.visible_tickets(user)
    return tickets.filter(queue=queue) if queue is not None else tickets


def created_vs_resolved(tickets: QuerySet[Ticket], period: Period) -> list[dict]:
    """Per day of the period: how many tickets were created and how many resolved."""

    def per_day(field: str) -> dict[date, int]:
        rows = (
            tickets.filter(
                **{f"{field}__gte": period.since, f"{field}__lt": period.until}
            )
            .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["day"]: row["n"] for row in rows}

    created, resolved = per_day("created"), per_day("resolved")
    return [
        {
            "day": day.isoformat(),
            "created": created.get(day, 0),
            "resolved": resolved.get(day, 0),
        }
        for day in (period.start + timedelta(days=n) for n in range(period.days))
    ]


def open_by_queue_status(open_tickets: QuerySet[Ticket]) -> list[dict]:
    return [
        {"queue": row["queue__name"], "status": row["status"], "count": row["n"]}
        for row in open_tickets.values("queue__name", "status")
        .annotate(n=Count("id"))
        .order_by("queue__name", "status")
    ]


def open_by_owner(open_tickets: QuerySet[Ticket]) -> list[dict]:
    rows = (
        open_tickets.values("owner_id", "owner__username", "owner__real_name")
        .annotate(n=Count("id"))
        .order_by("-n", "owner__username")
    )
    return [
        {
            "owner": row["owner__real_name"] or row["owner__username"],
            "count": row["n"],
        }
        for row in rows
    ]


def backlog_age(open_tickets: QuerySet[Ticket], now: datetime) -> dict[str, int]:
    """Open tickets by age: under a day, 1-7 days, 7-30 days, over 30 days."""
    aggregates = {
        name: Count("id", filter=Q(created__gt=now - timedelta(days=limit)))
        for name, limit in AGE_BUCKETS
    }
    counts = open_tickets.aggregate(total=Count("id"), **aggregates)
    under_1, under_7, under_30 = (counts[name] for name, _limit in AGE_BUCKETS)
    return {
        "under_1d": under_1,
        "1_7d": under_7 - under_1,
        "7_30d": under_30 - under_7,
        "over_30d": counts["total"] - under_30,
    }


def first_response_times(tickets: QuerySet[Ticket], period: Period) -> dict[str, Any]:
    """Hours from creation to the first reply by a privileged user, for tickets created
    in the period that got one."""
    first_reply = (
        Transaction.objects.filter(
            ticket=OuterRef("pk"),
            type=TransactionType.CORRESPOND,
            creator__is_privileged=True,
        )
        .order_by("created")
        .values("created")[:1]
    )
    rows = (
        tickets.filter(created__gte=period.since, created__lt=period.until)
        .annotate(first_reply=Subquery(first_reply))
        .annotate(
            duration=ExpressionWrapper(
                F("first_reply") - F("created"), output_field=DurationField()
            )
        )
    )
    return _duration_summary(rows)


def resolve_times(tickets: QuerySet[Ticket], period: Period) -> dict[str, Any]:
    """Hours from creation to resolution, for tickets resolved in the period."""
    rows = tickets.filter(
        resolved__gte=period.since, resolved__lt=period.until
    ).annotate(
        duration=ExpressionWrapper(
            F("resolved") - F("created"), output_field=DurationField()
        )
    )
    return _duration_summary(rows)


def select_fields() -> QuerySet[CustomField]:
    """Select custom fields a breakdown can be made by."""
    return CustomField.objects.filter(type="select", is_active=True).order_by(
        "sort_order", "name"
    )


def custom_field_breakdown(
    user: User, tickets: QuerySet[Ticket], field: CustomField, period: Period
) -> list[dict]:
    """Tickets created in the period per value of `field`, counting only tickets whose
    custom fields the user may see (SeeCustomField)."""
    readable = tickets.filter(
        created__gte=period.since, created__lt=period.until
    ).filter(pk__in=queries.visible_tickets(user, rights.SEE_CUSTOM_FIELD).values("pk"))
    rows = (
        CustomFieldValue.objects.filter(
            custom_field=field, ticket__in=readable.values("pk")
        )
        .values("content")
        .annotate(n=Count("ticket", distinct=True))
        .order_by("-n", "content")
    )
    return [{"value": row["content"], "count": row["n"]} for row in rows]


CHARTS = (
    "created_vs_resolved",
    "open_by_queue_status",
    "open_by_owner",
    "backlog_age",
    "response_times",
    "custom_field",
)


def compute_metrics(
    user: User,
    *,
    period: Period,
    queue: Queue | None = None,
    field: CustomField | None = None,
) -> dict[str, Any]:
    """All the metrics for one user, period and (optional) queue, as plain JSON data."""
    now = timezone.now()
    tickets = tickets_for(user, queue)
    open_tickets = tickets.exclude(status__in=inactive_statuses())
    series = created_vs_resolved(tickets, period)
    by_queue_status = open_by_queue_status(open_tickets)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "days": period.days,
        "queue": queue.name if queue else None,
        "created_vs_resolved": series,
        "totals": {
            "created": sum(row["created"] for row in series),
            "resolved": sum(row["resolved"] for row in series),
            "open": sum(row["count"] for row in by_queue_status),
        },
        "open_by_queue_status": by_queue_status,
        "open_by_owner": open_by_owner(open_tickets),
        "backlog_age": backlog_age(open_tickets, now),
        "first_response_hours": first_response_times(tickets, period),
        "resolve_hours": resolve_times(tickets, period),
        "custom_field": (
            {
                "name": field.name,
                "values": custom_field_breakdown(user, tickets, field, period),
            }
            if field
            else None
        ),
    }


def chart_data(
    user: User,
    chart: str,
    *,
    period: Period,
    queue: Queue | None = None,
    field: CustomField | None = None,
) -> dict[str, Any]:
    """Only the numbers one chart needs, in the same shape as compute_metrics()."""
    tickets = tickets_for(user, queue)
    open_tickets = tickets.exclude(status__in=inactive_statuses())
    data: dict[str, Any] = {"chart": chart, "days": period.days}
    if chart == "created_vs_resolved":
        data["created_vs_resolved"] = created_vs_resolved(tickets, period)
    elif chart == "open_by_queue_status":
        data["open_by_queue_status"] = open_by_queue_status(open_tickets)
    elif chart == "open_by_owner":
        data["open_by_owner"] = open_by_owner(open_tickets)
    elif chart == "backlog_age":
        data["backlog_age"] = backlog_age(open_tickets, timezone.now())
    elif chart == "response_times":
        data["first_response_hours"] = first_response_times(tickets, period)
        data["resolve_hours"] = resolve_times(tickets, period)
    elif chart == "custom_field":
        data["custom_field"] = (
            {
                "name": field.name,
                "values": custom_field_breakdown(user, tickets, field, period),
            }
            if field
            else None
        )
    else:
        raise ValueError(f"unknown chart {chart!r}")
    return data
