"""Live checks of the components a deployment depends on. Each returns a Check; none raises."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


def run_checks() -> list[Check]:
    return [check_database(), check_migrations(), check_broker(), check_cache()]
