"""End to end with a real Celery worker (Redis broker), PostgreSQL and an SMTP sink.

The worker is a separate process, so it needs a database it can share with the test:
this runs only on PostgreSQL (CI's PostgreSQL pass) and is skipped on SQLite, whose test
database lives in the test process's memory.
"""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import email.utils
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from scrips.models import Notification
from tests.celery_worker import Worker
from tests.database_url import current_database_url
from tests.factories import make_ticket
from tests.reliability.figures import record_notifications
from tracker.celery import app as celery_app
from tracker.models import Transaction, TransactionType

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SCRIPS_E2E_REDIS_URL", "redis://127.0.0.1:6379/9")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Sink:
    """An SMTP server on loopback that keeps what it accepted.

    `stall_at` ("rcpt" or "data") makes the next message wait there until `release`
    is set, with `stalled` set meanwhile, so a test can kill the sender mid-send.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()
        self.stall_at = ""
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def _maybe_stall(self, where: str) -> None:
        if self.stall_at != where:
            return
        self.stall_at = ""
        self.stalled.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        await self._maybe_stall("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        # Kept before answering, as a real MTA queues a message before its 250: a
        # sender that dies now never sees the 250 (the documented duplicate window).
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        await self._maybe_stall("data")
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


def record_delivery(handler: Sink, tickets: list, *, window: int = 0) -> dict:
    """The notification figures of a fault test: the outbox rows of `tickets` against
    what the sink received (see tests/reliability/figures.py)."""
    expected = Notification.objects.filter(ticket__in=tickets).values_list(
        "message_id", flat=True
    )
    with handler.lock:
        delivered = [str(m["Message-ID"]) for _, m in handler.messages]
    return record_notifications(list(expected), delivered, window=window)


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
    figures = record_delivery(handler, [ticket])
    assert figures["lost"] == figures["beyond_window"] == 0
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
    time.sleep(2)
    figures = record_delivery(handler, [ticket])
    assert figures["lost"] == figures["beyond_window"] == 0
    assert recipients == ["carol@customer.example"]
    assert f"#{ticket.pk}]" in message["Subject"]


def _pipe_to_mailgate(env: dict[str, str], raw: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "mailgate", "--queue", "Support"],
        input=raw,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _reply_to(message: email.message.EmailMessage, body: str) -> bytes:
    reply = email.message.EmailMessage()
    reply["From"] = "Carol <carol@customer.example>"
    reply["To"] = str(message["Reply-To"])
    reply["Subject"] = "Re: " + str(message["Subject"])
    reply["Message-ID"] = "<reply-1@customer.example>"
    reply["In-Reply-To"] = str(message["Message-ID"])
    reply["References"] = str(message["References"]) + " " + str(message["Message-ID"])
    reply["Date"] = email.utils.formatdate()
    reply.set_content(body)
    return reply.as_bytes()


def test_reply_to_a_notification_threads_back_onto_the_same_ticket(
    queue, staff, worker, sink
):
    handler, _ = sink
    ticket = make_ticket(
        queue=queue,
        subject="VPN down",
        requestors=["carol@customer.example"],
        owner=staff,
    )
    # On create: the autoreply to the requestor, and the owner told of the ticket.
    created = handler.wait_for(2)
    [autoreply] = [m for _, m in created if m["Auto-Submitted"] == "auto-replied"]
    assert autoreply["In-Reply-To"] == f"<RT-Ticket-{ticket.pk}@tracker.example>"
    done = _pipe_to_mailgate(worker.env, _reply_to(autoreply, "It is back, thanks."))
    assert done.returncode == 0, done.stderr.decode()
    # With a broker configured the gateway spools the message and the worker applies it.
    replies = Transaction.objects.filter(ticket=ticket, type=TransactionType.CORRESPOND)
    deadline = time.monotonic() + 60
    while not replies.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    reply = replies.get()
    assert reply.creator.email == "carol@customer.example"
    # The reply is itself notified to the owner (not to Carol, who wrote it),
    # threaded under the customer's mail.
    messages = handler.wait_for(3)
    time.sleep(2)
    assert len(handler.messages) == 3, worker.log.read_text()
    [(recipients, to_owner)] = [
        (r, m) for r, m in messages if m["In-Reply-To"] == "<reply-1@customer.example>"
    ]
    assert recipients == [staff.email]
    assert to_owner["In-Reply-To"] == "<reply-1@customer.example>"
    assert f"<RT-Ticket-{ticket.pk}@tracker.example>" in to_owner["References"]
    assert to_owner["Subject"].startswith(f"[tracker #{ticket.pk}]")


def test_crlf_in_names_and_subjects_injects_no_header_or_recipient(queue, worker, sink):
    from tracker import services

    handler, _ = sink
    services.get_or_create_user_for_email(
        "carol@customer.example", "Carol\r\nBcc: evil@attacker.example"
    )
    ticket = make_ticket(
        queue=queue,
        subject="Hello\r\nBcc: evil@attacker.example\r\n\r\nInjected body",
        requestors=["carol@customer.example"],
    )
    [(recipients, message)] = handler.wait_for(1)
    time.sleep(1)
    assert len(handler.messages) == 1
    assert recipients == ["carol@customer.example"]
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])
    assert str(message["Subject"]).startswith(f"[tracker #{ticket.pk}]")
    assert "evil@attacker.example" not in str(message["To"])


def test_change_committed_while_the_broker_is_down_is_sent_by_the_sweep(
    queue, worker, sink
):
    from scrips.tasks import sweep_outbox_task

    handler, _ = sink
    with socket.socket() as probe:  # a port nothing listens on: the broker is "down"
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    celery_app.conf.update(broker_url=dead)
    _forget_connections()
    try:
        ticket = _create(queue)  # commits; the enqueue fails and is only logged
    finally:
        celery_app.conf.update(broker_url=REDIS_URL)
        _forget_connections()
    assert Transaction.objects.filter(ticket=ticket).exists()
    time.sleep(2)
    assert handler.messages == []
    # What beat runs every minute, once the broker is back.
    sweep_outbox_task.delay(transaction_age=0, notification_age=0)
    [(recipients, message)] = handler.wait_for(1)
    time.sleep(2)
    figures = record_delivery(handler, [ticket])
    assert figures["lost"] == figures["beyond_window"] == 0
    assert len(handler.messages) == 1
    assert recipients == ["carol@customer.example"]
    assert f"#{ticket.pk}]" in message["Subject"]


def _kill_mid_send(worker, handler, where: str) -> Notification:
    handler.stall_at = where
    ticket = _create(worker.queue)
    assert handler.stalled.wait(60), worker.log.read_text()
    worker.stop(signal.SIGKILL)
    handler.release.set()
    notification = Notification.objects.get(ticket=ticket)
    assert notification.status == "pending"  # the killed sender's COMMIT never came
    return notification


def _restart_and_sweep(worker) -> None:
    from scrips.tasks import sweep_outbox_task

    worker.start()
    sweep_outbox_task.delay(transaction_age=0, notification_age=0)


def test_worker_killed_before_the_smtp_server_accepted_sends_once(queue, worker, sink):
    handler, _ = sink
    worker.queue = queue
    notification = _kill_mid_send(worker, handler, "rcpt")
    _restart_and_sweep(worker)
    handler.wait_for(1)
    time.sleep(3)
    figures = record_delivery(handler, [notification.ticket])
    assert figures["lost"] == figures["beyond_window"] == 0
    assert len(handler.messages) == 1, worker.log.read_text()
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert (
        Transaction.objects.filter(
            ticket=notification.ticket, type=TransactionType.EMAIL_RECORD
        ).count()
        == 1
    )


def test_worker_killed_after_the_smtp_server_took_the_data_duplicates_at_most_once(
    queue, worker, sink
):
    handler, _ = sink
    worker.queue = queue
    notification = _kill_mid_send(worker, handler, "data")
    _restart_and_sweep(worker)
    handler.wait_for(2)
    time.sleep(3)
    figures = record_delivery(handler, [notification.ticket], window=1)
    assert figures["lost"] == figures["beyond_window"] == 0
    # The documented window: the server had the message, the sender died before
    # recording it, so it is sent again, with the same Message-ID.
    assert len(handler.messages) == 2, worker.log.read_text()
    assert {m["Message-ID"] for _, m in handler.messages} == {notification.message_id}
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert (
        Transaction.objects.filter(
            ticket=notification.ticket, type=TransactionType.EMAIL_RECORD
        ).count()
        == 1
    )
