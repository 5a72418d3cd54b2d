"""Gateway test helpers: mail settings, and a database a real `manage.py mailgate`
subprocess can reach (the test database itself on PostgreSQL, a migrated SQLite file
otherwise, since SQLite test databases live in memory)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.database_url import current_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.TRACKER_RTNAME = "tracker"
    settings.TRACKER_MAIL_DOMAIN = "tracker.example"


def gateway_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        TRACKER_VAR_DIR=str(var_dir),
        TRACKER_RTNAME="tracker",
        DEFAULT_FROM_EMAIL="tracker@tracker.example",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name in ("EXTENSION", "SENDER", "RECIPIENT", "ORIGINAL_RECIPIENT"):
        env.pop(name, None)
    return env


def run_manage(args, *, stdin=b"", env, timeout=120):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


@dataclass
class GatewayDB:
    url: str
    var_dir: Path
    sqlite_path: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        return gateway_env(self.url, self.var_dir)

    def pipe(self, raw: bytes, *args: str, extra_env: dict | None = None):
        env = {**self.env, **(extra_env or {})}
        return run_manage(["mailgate", *args], stdin=raw, env=env)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gateway-template")
    path = folder / "template.sqlite3"
    result = run_manage(
        ["migrate", "-v0", "--skip-checks"],
        env=gateway_env(f"sqlite:///{path}", folder),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    return path


@pytest.fixture
def gateway_db(request, tmp_path):
    """Use with `pytest.mark.django_db(transaction=True, serialized_rollback=True)` so
    that the subprocess sees committed data and the tables are reset afterwards."""
    if connection.vendor == "postgresql":
        return GatewayDB(url=current_database_url(), var_dir=tmp_path)
    path = tmp_path / "gateway.sqlite3"
    shutil.copy(request.getfixturevalue("_sqlite_template"), path)
    return GatewayDB(url=f"sqlite:///{path}", var_dir=tmp_path, sqlite_path=path)


@contextmanager
def storage_refused():
    """A real database failure on INSERT into the gateway's table (a trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION mailgate_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'storage refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER mailgate_refuse BEFORE INSERT ON mailgate_inboundemail "
                "FOR EACH ROW EXECUTE FUNCTION mailgate_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER mailgate_refuse BEFORE INSERT ON mailgate_inboundemail "
                "BEGIN SELECT RAISE(ABORT, 'storage refused'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER mailgate_refuse ON mailgate_inboundemail")
                cursor.execute("DROP FUNCTION mailgate_refuse()")
            else:
                cursor.execute("DROP TRIGGER mailgate_refuse")
