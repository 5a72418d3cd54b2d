"""/healthz: 200 when every critical component answers, 503 otherwise (JSON either way).
/metrics: Prometheus metrics for allowed scrapers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from tracker import queries, ticketsql
from tracker.errors import NotFound
from tracker.ops.access import may_read_metrics
from tracker.ops.export import iter_export
from tracker.ops.health import Check, run_checks
from tracker.ops.metrics import render_metrics


def _describe(check: Check) -> dict[str, object]:
    described: dict[str, object] = {"ok": check.ok, "detail": check.detail}
    if not check.critical:
        described["critical"] = False
    if check.value is not None:
        described["value"] = check.value
    return described


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(c.ok for c in checks if c.critical)
    body = {
        "status": "ok" if healthy else "failing",
        # Details name components, never secrets or addresses with credentials.
        "checks": {c.name: _describe(c) for c in checks},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition; 403 without the token or an allowed address."""
    if not may_read_metrics(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


@login_required
@require_GET
def export_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket, with the history and attachments the user may see, as JSON."""
    try:
        ticket = queries.get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    body = "".join(iter_export([ticket], user=request.user, query=f"id = {ticket.pk}"))
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.pk}.json"'
    return response


@login_required
@require_GET
def export_search(request: HttpRequest) -> HttpResponse:
    """The tickets a TicketSQL query (?query=) finds, as JSON, streamed."""
    query = request.GET.get("query", "")
    try:
        tickets = ticketsql.search(request.user, query)
    except ticketsql.TicketSQLError as exc:
        return JsonResponse({"error": str(exc)}, status=400)

    response = StreamingHttpResponse(
        iter_export(tickets, user=request.user, query=query),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="tickets.json"'
    return response
