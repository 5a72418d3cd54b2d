"""An optional read replica (DATABASE_REPLICA_URL) for searches and reports.

Only reads made while answering one of the REPLICA_VIEWS (GET searches, the metrics
page, REST ticket searches) go to the replica; everything else, and every write,
uses the primary. A replica lags its primary by a moment, which a search page can
bear and a ticket page, read right after a change, cannot: that is why the choice is
per view rather than per model.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA_ALIAS = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


@contextmanager
def reading_from_replica() -> Any:
    """Within this block, reads go to the replica when one is configured."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _use_replica.get() and REPLICA_ALIAS in settings.DATABASES:
            return REPLICA_ALIAS
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"


class ReplicaViewsMiddleware:
    """Marks GET requests to the configured views as replica reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _use_replica.set(False)
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in settings.REPLICA_VIEWS
        ):
            # Reset by __call__ once the response is built (templates render lazily
            # inside get_response, so the flag must outlive the view call).
            _use_replica.set(True)
