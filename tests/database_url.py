"""The test database as a DATABASE_URL, for the processes a test starts."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def current_database_url() -> str:
    """postgres://user[:password]@host:port/name of the test run's PostgreSQL database."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"
