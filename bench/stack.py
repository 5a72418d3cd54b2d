"""The system under test: its own PostgreSQL database, gunicorn, a Celery worker, the
LMTP listener and an aiosmtpd sink, started and stopped by the benchmark (by pid)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = os.environ.get("BENCH_DB", "tracker_bench")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8765"))
LMTP_PORT = int(os.environ.get("BENCH_LMTP_PORT", "8766"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8767"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))


def bench_environment() -> dict[str, str]:
    """Production-like settings for every process of the run (DEBUG off, Redis broker)."""
    var = ROOT / "var" / "bench" / "var"
    var.mkdir(parents=True, exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "CONN_MAX_AGE": "600",
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "false",
        "TRACKER_VAR_DIR": str(var),
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "WEB_BASE_URL": f"http://127.0.0.1:{WEB_PORT}",
        "LOG_LEVEL": "WARNING",
    }


def apply_environment() -> dict[str, str]:
    env = bench_environment()
    os.environ.update(env)
    # Keep the key stable for the child processes started later in this run.
    os.environ["BENCH_SECRET_KEY"] = env["SECRET_KEY"]
    return env


def manage(
    *args: str, check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, check=check, **kwargs
    )


# A migrated empty database kept beside the bench one: copying it (CREATE DATABASE ...
# TEMPLATE) takes a second where migrating takes 20 s to a minute. Its comment holds a
# digest of every migration file; any change there migrates it again.
TEMPLATE_DB = os.environ.get("BENCH_TEMPLATE_DB", f"{DB_NAME}_migrated")


def migrations_digest() -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def recreate_database() -> None:
    """Drop and create the bench database from the migrated template (migrating the
    template first when the migrations changed). Set BENCH_FRESH_MIGRATE=1 to migrate
    the template again regardless."""
    import psycopg

    key = migrations_digest()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            [TEMPLATE_DB],
        ).fetchone()
        fresh = row is not None and row[0] == key
        if os.environ.get("BENCH_FRESH_MIGRATE", "") not in ("", "0"):
            fresh = False
        if not fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    if not fresh:
        manage(
            "migrate", "--noinput", "-v0",
            env={**os.environ, "DATABASE_URL": _database_url(TEMPLATE_DB)},
        )  # fmt: skip
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if not fresh:
            conn.execute(f"COMMENT ON DATABASE \"{TEMPLATE_DB}\" IS '{key}'")
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{TEMPLATE_DB}"')


def collect_static() -> None:
    manage("collectstatic", "--noinput", "-v0")


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


class SmtpSink:
    """An aiosmtpd server that counts the messages it receives."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
                self, server: Any, session: Any, envelope: Any
            ) -> str:
                with sink.lock:
                    sink.count += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Stack:
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    sink: SmtpSink | None = None
    logs: Path = ROOT / "var" / "bench" / "logs"

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(  # noqa: S603 - our own commands
            args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = proc
        return proc

    def start(self) -> None:
        self.sink = SmtpSink(SMTP_PORT)
        self.sink.start()
        bindir = Path(PYTHON).parent
        self._spawn(
            "gunicorn",
            [
                str(bindir / "gunicorn"),
                "tracker.wsgi",
                "--bind", f"127.0.0.1:{WEB_PORT}",
                "--workers", str(GUNICORN_WORKERS),
                "--worker-class", "sync",
                "--keep-alive", "5",
                "--max-requests", "0",
                "--preload",
            ],
        )  # fmt: skip
        self._spawn(
            "worker",
            [str(bindir / "celery"), "-A", "tracker", "worker", "-l", "warning",
             "--concurrency", "2", "--without-gossip", "--without-mingle"],
        )  # fmt: skip
        self._spawn(
            "lmtp",
            [
                PYTHON,
                str(ROOT / "manage.py"),
                "mailgate_lmtp",
                "--port",
                str(LMTP_PORT),
            ],
        )
        wait_for_port(WEB_PORT)
        wait_for_port(LMTP_PORT)

    def worker_pids(self, name: str) -> list[int]:
        """The process and its direct children (gunicorn workers, celery pool)."""
        proc = self.processes[name]
        out = subprocess.run(  # noqa: S603 - pgrep by parent pid we own
            [shutil.which("pgrep") or "/usr/bin/pgrep", "-P", str(proc.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [proc.pid, *(int(p) for p in out.split())]

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()
        if self.sink:
            self.sink.stop()


def peak_rss_kb(pid: int) -> int | None:
    """VmHWM of a live process, in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
