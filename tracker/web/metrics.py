"""The metrics page and its JSON: thin views over `tracker.metrics`.

Filters: a queue the user can see, a period (`days` preset, or `start`/`end` dates) and a
select custom field to break down by. The page shows every number in a table; the
browser draws the charts from the JSON endpoint.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker import rights
from tracker.metrics import Period, compute_metrics, select_fields
from tracker.models import User

RANGES = (7, 30, 90, 365)


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def metric_filters(params: QueryDict, user: User) -> dict[str, Any]:
    """Validated filters from query parameters; unknown or forbidden values are ignored."""
    start, end = _date(params.get("start")), _date(params.get("end"))
    try:
        days = int(params.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in RANGES else 30
    period = Period.between(start, end) if start and end else Period.last(days)
    queues = list(
        rights.queues_with_right(user, rights.SEE_QUEUE).filter(is_active=True)
    )
    queue = next((q for q in queues if str(q.pk) == params.get("queue")), None)
    fields = list(select_fields())
    field = next((f for f in fields if str(f.pk) == params.get("cf")), None)
    return {
        "days": days,
        "period": period,
        "custom_range": bool(start and end),
        "queue": queue,
        "queues": queues,
        "field": field,
        "fields": fields,
    }


def _context(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    filters = metric_filters(request.GET, request.user)
    metrics = compute_metrics(
        request.user,
        period=filters["period"],
        queue=filters["queue"],
        field=filters["field"],
    )
    return {**filters, "metrics": metrics}


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    context["ranges"] = RANGES
    context["json_query"] = request.GET.urlencode()
    context["chart_labels"] = chart_labels()
    return render(request, "tracker/metrics.html", context)


@login_required
@require_GET
def metrics_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_context(request)["metrics"])


def chart_labels() -> dict[str, str]:
    """Translated words the browser puts on the charts."""
    return {
        "created": _("created"),
        "resolved": _("resolved"),
        "open": _("open"),
        "tickets": _("tickets"),
        "median": _("median hours"),
        "p90": _("90th percentile hours"),
        "first_response": _("First response"),
        "resolution": _("Resolution"),
        "under_1d": _("Under a day"),
        "1_7d": _("1 to 7 days"),
        "7_30d": _("7 to 30 days"),
        "over_30d": _("Over 30 days"),
    }
