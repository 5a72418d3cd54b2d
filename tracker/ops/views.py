"""/healthz: 200 when every critical component answers, 503 otherwise (JSON either way).
/metrics: Prometheus metrics for allowed scrapers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from tracker.ops.access import may_read_metrics
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
