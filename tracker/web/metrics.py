"""Team metrics: created vs resolved, open work, response and resolution times.

Every number is computed from `visible_tickets(user)`, so nobody learns counts about
tickets they may not see. The page shows tables; the same data is served as JSON for
the browser to draw charts.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

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
from tracker.web.home import inactive_statuses

RANGES = (7, 30, 90, 365)
# Response and resolution times are computed over at most this many tickets.
SAMPLE_LIMIT = 5000
AGE_BUCKETS = (
    ("under_1d", 1),
    ("1_7d", 7),
    ("7_30d", 30),
)


def _filters(request: HttpRequest, user: User) -> dict[str, Any]:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in RANGES else 30
    queues = list(
        rights.queues_with_right(user, rights.SEE_QUEUE).filter(is_active=True)
    )
    queue = next((q for q in queues if str(q.pk) == request.GET.get("queue")), None)
    return {"days": days, "queue": queue, "queues": queues}


def _tickets(user: User, queue: Queue | None) -> QuerySet[Ticket]:
    tickets = queries.visible_tickets(user)
    return tickets.filter(queue=queue) if queue is not None else tickets


def _per_day(tickets: QuerySet[Ticket], field: str, start: Any) -> dict[date, int]:
    rows = (
        tickets.filter(**{f"{field}__gte": start})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
    )
    return {row["day"]: row["n"] for row in rows}


def _percentiles(hours: list[float]) -> dict[str, float | None]:
    if not hours:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(hours)
    p90 = (
        statistics.quantiles(ordered, n=10, method="inclusive")[-1]
        if len(ordered) > 1
        else ordered[0]
    )
    return {
        "count": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p90": round(p90, 1),
    }


def _durations(tickets: QuerySet[Ticket], start: Any) -> dict[str, dict]:
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
        tickets.filter(created__gte=start)
        .annotate(first_reply=Subquery(first_reply))
        .values_list("created", "first_reply", "resolved")[:SAMPLE_LIMIT]
    )
    response, resolve = [], []
    for created, replied, resolved in rows:
        if replied:
            response.append((replied - created).total_seconds() / 3600)
        if resolved:
            resolve.append((resolved - created).total_seconds() / 3600)
    return {
        "first_response_hours": _percentiles(response),
        "resolve_hours": _percentiles(resolve),
    }


def _backlog_age(open_tickets: QuerySet[Ticket], now: Any) -> dict[str, int]:
    aggregates = {
        name: Count("id", filter=Q(created__gt=now - timedelta(days=limit)))
        for name, limit in AGE_BUCKETS
    }
    aggregates["total"] = Count("id")
    counts = open_tickets.aggregate(**aggregates)
    under_1, under_7, under_30 = (counts[name] for name, _ in AGE_BUCKETS)
    return {
        "under_1d": under_1,
        "1_7d": under_7 - under_1,
        "7_30d": under_30 - under_7,
        "over_30d": counts["total"] - under_30,
    }


def _custom_field_breakdown(
    tickets: QuerySet[Ticket], field: CustomField | None, start: Any
) -> list[dict]:
    if field is None:
        return []
    rows = (
        CustomFieldValue.objects.filter(
            custom_field=field,
            ticket__in=tickets.filter(created__gte=start).values("pk"),
        )
        .values("content")
        .annotate(n=Count("ticket", distinct=True))
        .order_by("-n", "content")
    )
    return [{"value": row["content"], "count": row["n"]} for row in rows]


def compute_metrics(
    user: User, *, days: int, queue: Queue | None, field: CustomField | None
) -> dict[str, Any]:
    now = timezone.now()
    start = now - timedelta(days=days)
    tickets = _tickets(user, queue)
    open_tickets = tickets.exclude(status__in=inactive_statuses())
    created = _per_day(tickets, "created", start)
    resolved = _per_day(tickets, "resolved", start)
    today = timezone.localdate()
    series = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        series.append(
            {
                "day": day.isoformat(),
                "created": created.get(day, 0),
                "resolved": resolved.get(day, 0),
            }
        )
    by_queue_status = [
        {"queue": row["queue__name"], "status": row["status"], "count": row["n"]}
        for row in open_tickets.values("queue__name", "status")
        .annotate(n=Count("id"))
        .order_by("queue__name", "status")
    ]
    by_owner = [
        {"owner": row["owner__real_name"] or row["owner__username"], "count": row["n"]}
        for row in open_tickets.values("owner__username", "owner__real_name")
        .annotate(n=Count("id"))
        .order_by("-n", "owner__username")
    ]
    return {
        "days": days,
        "queue": queue.name if queue else None,
        "created_vs_resolved": series,
        "totals": {
            "created": sum(created.values()),
            "resolved": sum(resolved.values()),
            "open": sum(row["count"] for row in by_queue_status),
        },
        "open_by_queue_status": by_queue_status,
        "open_by_owner": by_owner,
        "backlog_age": _backlog_age(open_tickets, now),
        **_durations(tickets, start),
        "custom_field": (
            {
                "name": field.name,
                "values": _custom_field_breakdown(tickets, field, start),
            }
            if field
            else None
        ),
    }


def _select_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(type="select", is_active=True))


def _context(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    filters = _filters(request, request.user)
    fields = _select_fields()
    field = next((f for f in fields if str(f.pk) == request.GET.get("cf")), None)
    metrics = compute_metrics(
        request.user, days=filters["days"], queue=filters["queue"], field=field
    )
    return {**filters, "fields": fields, "field": field, "metrics": metrics}


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    context["ranges"] = RANGES
    context["json_query"] = request.GET.urlencode()
    return render(request, "tracker/metrics.html", context)


@login_required
@require_GET
def metrics_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_context(request)["metrics"])
