"""Live checks of the components a deployment depends on. Each returns a Check; none raises."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    critical: bool = True
    value: int | None = None


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - a health check reports, it never raises
        return Check("database", False, f"unreachable: {exc.__class__.__name__}")
    return Check("database", True, connection.vendor)


def check_migrations() -> Check:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return Check("migrations", False, f"cannot read: {exc.__class__.__name__}")
    if pending:
        return Check("migrations", False, f"{len(pending)} not applied (run migrate)")
    return Check("migrations", True, "up to date")


def check_broker() -> Check:
    url = settings.CELERY_BROKER_URL
    if not url:
        return Check("broker", True, "none: tasks run in-process", critical=False)
    try:
        from kombu import Connection

        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return Check("broker", False, f"unreachable: {exc.__class__.__name__}")
    return Check("broker", True, url.split("@")[-1].split("://")[-1])


def check_cache() -> Check:
    try:
        cache.set("healthz:probe", 1, timeout=5)
        ok = cache.get("healthz:probe") == 1
    except Exception as exc:  # noqa: BLE001
        return Check("cache", False, f"unreachable: {exc.__class__.__name__}")
    return Check("cache", ok, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])


WORKERS_CACHE_KEY = "healthz:workers"


def _count_workers(timeout: float) -> int:
    """Workers answering a broadcast ping. A ping waits its whole timeout for replies,
    so the count is cached: load balancers probe every few seconds."""
    cached = cache.get(WORKERS_CACHE_KEY)
    if cached is not None:
        return int(cached)
    from tracker.celery import app

    # The broker named in settings now, not whatever Celery's conf cached earlier.
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        count = len(app.control.ping(timeout=timeout, connection=conn))
    cache.set(WORKERS_CACHE_KEY, count, timeout=settings.HEALTHZ_WORKER_CACHE_SECONDS)
    return count


def check_workers(timeout: float = 1.0) -> Check:
    """The worker heartbeat. Not critical: a web process keeps serving while workers
    are down (mail waits in the outbox), so a load balancer should not drop it."""
    if not settings.CELERY_BROKER_URL:
        return Check("workers", True, "none: tasks run in-process", critical=False)
    try:
        count = _count_workers(timeout)
    except Exception as exc:  # noqa: BLE001
        return Check("workers", False, f"cannot ask: {exc.__class__.__name__}", False)
    if not count:
        return Check("workers", False, "no worker answered", critical=False, value=0)
    return Check("workers", True, f"{count} answered", critical=False, value=count)


def quarantine_size() -> int | None:
    """Inbound mail waiting for an administrator (quarantined or failed), or None when
    the mail gateway is not installed. Read through the app registry so that nothing
    here imports mailgate."""
    if not apps.is_installed("mailgate"):
        return None
    inbound = apps.get_model("mailgate", "InboundEmail")
    return inbound.objects.filter(status__in=("quarantined", "failed")).count()


def check_mail_quarantine() -> Check:
    try:
        size = quarantine_size()
    except Exception as exc:  # noqa: BLE001
        return Check(
            "mail_quarantine", False, f"cannot read: {exc.__class__.__name__}", False
        )
    if size is None:
        return Check("mail_quarantine", True, "no mail gateway", critical=False)
    ok = size < settings.HEALTHZ_QUARANTINE_WARN
    detail = f"{size} message(s) waiting"
    return Check("mail_quarantine", ok, detail, critical=False, value=size)


def run_checks() -> list[Check]:
    return [
        check_database(),
        check_migrations(),
        check_broker(),
        check_cache(),
        check_workers(),
        check_mail_quarantine(),
    ]
