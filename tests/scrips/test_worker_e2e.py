"""End to end with a real Celery worker (Redis broker), PostgreSQL and an SMTP sink.

The worker is a separate process, so it needs a database it can share with the test:
this runs only on PostgreSQL (CI's PostgreSQL pass) and is skipped on SQLite, whose test
database lives in the test process's memory.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from scrips.models import Notification
from tests.factories import make_ticket
from tracker.celery import app as celery_app
from tracker.models import Transaction, TransactionType

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SCRIPS_E2E_REDIS_URL", "redis://127.0.0.1:6379/9")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Sink:
    """An SMTP server on loopback that keeps what it accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.2)
        return list(self.messages)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: the Celery worker is a separate process and must share "
            "the test database (SQLite test databases live in memory)."
        )
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


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
    client.flushdb()  # this test's own Redis database: stale tasks of earlier runs
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _forget_connections()
    yield REDIS_URL
    celery_app.conf.update(**saved)
    _forget_connections()
    client.flushdb()


def _forget_connections() -> None:
    """Celery caches its producer pool for the broker it first used; drop it so the
    changed broker_url takes effect (what Celery itself does after a fork)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.process = env, log, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tracker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"Worker did not start:\n{self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def worker(postgres_url, broker, sink, tmp_path):
    _, port = sink
    env = dict(os.environ)
    env.update(
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=broker,
        CACHE_URL="locmemcache://scrips-e2e",
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        TRACKER_RTNAME="tracker",
        TRACKER_MAIL_DOMAIN="tracker.example",
        DEFAULT_FROM_EMAIL="tracker@tracker.example",
        WEB_BASE_URL="https://tracker.example",
        TRACKER_VAR_DIR=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    # The worker must load the same code as the test; never a different settings file.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = Worker(env, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def _create(queue):
    return make_ticket(
        queue=queue, subject="VPN down", requestors=["carol@customer.example"]
    )


def test_committed_ticket_is_mailed_once_by_a_real_worker(queue, worker, sink):
    handler, _ = sink
    ticket = _create(queue)
    messages = handler.wait_for(1)
    time.sleep(2)  # anything extra would arrive now
    assert len(handler.messages) == 1, worker.log.read_text()
    recipients, message = messages[0]
    assert recipients == ["carol@customer.example"]
    assert message["Subject"] == f"[tracker #{ticket.pk}] AutoReply: VPN down"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-RT-Loop-Prevention"] == "tracker"
    assert message["Reply-To"] == "support@tracker.example"
    assert f"<RT-Ticket-{ticket.pk}@tracker.example>" in message["References"]
    notification = Notification.objects.get(ticket=ticket)
    assert notification.status == "sent"
    assert message["Message-ID"] == notification.message_id


def test_redelivered_tasks_after_a_worker_restart_send_nothing_twice(
    queue, worker, sink
):
    from scrips.tasks import run_scrips_task, send_notification_task

    handler, _ = sink
    ticket = _create(queue)
    handler.wait_for(1)
    worker.stop(signal.SIGKILL)
    # What Redis redelivers after a crash (acks_late): the same tasks, again.
    create = Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)
    run_scrips_task.delay(create.pk)
    for notification in Notification.objects.filter(ticket=ticket):
        send_notification_task.delay(notification.pk)
    worker.start()
    time.sleep(5)
    assert len(handler.messages) == 1, worker.log.read_text()
    assert (
        Transaction.objects.filter(
            ticket=ticket, type=TransactionType.EMAIL_RECORD
        ).count()
        == 1
    )


def test_notifications_written_while_the_worker_is_down_go_out_when_it_is_back(
    queue, worker, sink
):
    handler, _ = sink
    worker.stop()
    ticket = _create(queue)
    time.sleep(1)
    assert handler.messages == []
    worker.start()
    [(recipients, message)] = handler.wait_for(1)
    assert recipients == ["carol@customer.example"]
    assert f"#{ticket.pk}]" in message["Subject"]
