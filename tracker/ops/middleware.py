"""Request latency for the /metrics histogram."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from tracker.ops.metrics import REQUEST_LATENCY


class RequestMetricsMiddleware:
    """Times every request. Labels use the URL pattern's name, never the raw path, so
    ticket numbers do not multiply the series."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        REQUEST_LATENCY.labels(
            method=request.method if request.method in _METHODS else "other",
            view=view,
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ProbeMiddleware:
    """Answers /healthz and /metrics before the https redirect and the Host check.

    Load balancers and Prometheus reach a web process directly, over plain http and by
    its address (Host: 10.0.0.5:8000), so SECURE_SSL_REDIRECT would send them a 301 and
    ALLOWED_HOSTS a 400. Neither view builds URLs from the Host header, and /metrics
    keeps its own token and address check."""

    PATHS = frozenset({"/healthz", "/metrics"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
