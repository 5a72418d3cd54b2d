"""Scale-out: two web processes (gunicorn) and two Celery workers against one PostgreSQL
database and one Redis broker. Tickets created through either web are seen by both,
and each notification reaches the SMTP sink exactly once.

Separate processes must share the database, so this runs on PostgreSQL only (SQLite
test databases live in the test process's memory) and needs Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from scrips.models import Notification
from tests.database_url import current_database_url
from tests.factories import STAFF_RIGHTS, grant_many, make_staff
from tracker.models import Group, GroupDomain

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "two-webs-secret"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.2)


@pytest.fixture
def postgres_url():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: several processes share one database.")
    return current_database_url()


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"Needs Redis at {REDIS_URL}.")
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def cluster_env(postgres_url, broker, sink, tmp_path):
    _, port = sink
    env = dict(os.environ)
    env.update(
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=broker,
        # Both webs and both workers share Redis as their cache, as in production.
        CACHE_URL=broker.replace("redis://", "rediscache://", 1),
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        TRACKER_VAR_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        WEB_BASE_URL="https://tracker.example",
        DEFAULT_FROM_EMAIL="tracker@tracker.example",
        PYTHONDONTWRITEBYTECODE="1",
        # Every /healthz asks the workers afresh, so the count is exact here.
        HEALTHZ_WORKER_CACHE_SECONDS="0",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(cluster_env, tmp_path):
    """Two gunicorn webs and two Celery workers; yields the webs' base URLs."""
    processes: list[subprocess.Popen] = []
    webs = []
    try:
        for n in (1, 2):
            log = tmp_path / f"worker{n}.log"
            processes.append(
                _spawn(
                    [
                        "celery",
                        "-A",
                        "tracker",
                        "worker",
                        "--pool=solo",
                        f"--hostname=worker{n}@%h",
                        "--loglevel=INFO",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cluster_env,
                    log,
                )
            )
        for n in (1, 2):
            port = _free_port()
            processes.append(
                _spawn(
                    [
                        "gunicorn",
                        "tracker.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                    ],
                    cluster_env,
                    tmp_path / f"web{n}.log",
                )
            )
            webs.append(f"http://127.0.0.1:{port}")
        _wait_until_ready(webs, tmp_path)
        yield webs
    finally:
        for process in processes:
            _stop(process)


def _wait_until_ready(webs: list[str], logs: Path) -> None:
    deadline = time.monotonic() + 90
    pending = set(webs)
    while pending and time.monotonic() < deadline:
        for base in list(pending):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                    pending.discard(base)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.5)
    workers_ready = all(
        b" ready." in (logs / f"worker{n}.log").read_bytes() for n in (1, 2)
    )
    while not workers_ready and time.monotonic() < deadline:
        time.sleep(0.5)
        workers_ready = all(
            b" ready." in (logs / f"worker{n}.log").read_bytes() for n in (1, 2)
        )
    if pending or not workers_ready:
        dump = "\n".join(
            f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs.glob("*.log")
        )
        raise AssertionError(f"Cluster did not start:\n{dump}")


@pytest.fixture
def staff():
    """A staff user whose password the web processes (Argon2/PBKDF2) can check."""
    user = make_staff(username="opsstaff", email="ops@tracker.example")
    # Cheap iterations: every API call checks the password.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsalt", iterations=1000)
    user.save(update_fields=["password"])
    group = Group.objects.create(name="Ops staff", domain=GroupDomain.USER_DEFINED)
    group.memberships.create(user=user)
    grant_many(STAFF_RIGHTS, group=group)
    return user


def _call(base: str, method: str, path: str, body: dict | None = None) -> dict:
    auth = base64.b64encode(f"opsstaff:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - loopback test servers
        f"{base}/REST/2.0/{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def test_tickets_made_through_either_web_are_seen_by_both_and_mailed_once(
    cluster, staff, sink
):
    handler, _ = sink
    created = []
    for n in range(6):
        web = cluster[n % 2]
        body = _call(
            web,
            "POST",
            "ticket",
            {
                "Queue": "General",
                "Subject": f"Scale-out {n}",
                "Requestor": [f"customer{n}@example.org"],
                "Content": "Two webs, two workers.",
            },
        )
        created.append(int(body["id"]))
    assert len(set(created)) == 6
    for ticket_id in created:
        for web in cluster:
            shown = _call(web, "GET", f"ticket/{ticket_id}")
            assert shown["Subject"].startswith("Scale-out ")
    handler.wait_for(6)
    time.sleep(3)  # a duplicate would arrive now
    recipients = sorted(r for rcpts, _ in handler.messages for r in rcpts)
    assert recipients == sorted(f"customer{n}@example.org" for n in range(6)), [
        (r, m["Subject"]) for r, m in handler.messages
    ]
    notifications = Notification.objects.filter(ticket_id__in=created)
    assert notifications.count() == 6
    assert set(notifications.values_list("status", flat=True)) == {"sent"}


def test_health_check_of_each_web_counts_both_workers(cluster):
    for web in cluster:
        with urllib.request.urlopen(f"{web}/healthz", timeout=30) as response:  # noqa: S310
            checks = json.loads(response.read())["checks"]
        assert checks["workers"]["value"] == 2
        assert checks["database"]["ok"] is True


def test_gunicorn_is_installed_for_the_web_processes():
    assert shutil.which("gunicorn") or (ROOT / ".venv" / "bin" / "gunicorn").exists()
