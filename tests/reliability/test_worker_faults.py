"""Notifications under worker and broker faults, with a real Celery worker, Redis,
PostgreSQL and an SMTP sink (../shared/reliability-security.md C.2, D14 in small):
a burst of changes with the worker killed (SIGKILL) in the middle, and Redis cut off
while changes keep being committed. Each test records expected, delivered, lost and
duplicated notifications for the table of `make reliability`."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from scrips.models import Notification
from tests.factories import make_ticket
from tests.scrips.conftest import queue  # noqa: F401 - fixture
from tests.scrips.test_worker_e2e import (  # noqa: F401 - fixtures
    REDIS_URL,
    _forget_connections,
    postgres_url,
    record_delivery,
    sink,
    worker,
)
from tracker.celery import app as celery_app

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BURST = 30


class Cable:
    """A TCP forwarder to Redis that can be unplugged: while cut, open connections are
    closed and new ones are closed at once, as a Redis restart looks to its clients."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.plugged = threading.Event()
        self.plugged.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.plugged.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink_: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink_.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink_):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.plugged.clear()
        with self.lock:
            conns, self.open = self.open, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def plug(self) -> None:
        self.plugged.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def cable():
    parts = urlsplit(REDIS_URL)
    line = Cable((parts.hostname or "127.0.0.1", parts.port or 6379))
    yield line
    line.close()


@pytest.fixture
def broker(cable):
    """The e2e tests' broker fixture, reached through the cable (same Redis db)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    url = REDIS_URL.replace(f":{urlsplit(REDIS_URL).port or 6379}/", f":{cable.port}/")
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    _forget_connections()
    yield url
    celery_app.conf.update(**saved)
    _forget_connections()
    client.flushdb()


def _create(queue, n: int):  # noqa: F811 - the queue fixture's value
    return make_ticket(
        queue=queue, subject=f"Burst {n}", requestors=[f"c{n}@customer.example"]
    )


def _sweep() -> None:
    from scrips.tasks import sweep_outbox_task

    sweep_outbox_task.delay(transaction_age=0, notification_age=0)


def _wait_until_sent(tickets, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = Notification.objects.filter(ticket__in=tickets).exclude(status="sent")
        rows = Notification.objects.filter(ticket__in=tickets).count()
        if rows >= len(tickets) and not pending.exists():
            return
        time.sleep(0.5)


def test_worker_killed_in_a_burst_loses_nothing_and_resends_at_most_one_per_kill(
    queue,  # noqa: F811
    worker,  # noqa: F811
    sink,  # noqa: F811
):
    handler, _ = sink
    tickets = []
    kills = 0
    for n in range(BURST):
        tickets.append(_create(queue, n))
        if n in (BURST // 3, 2 * BURST // 3):
            worker.stop(signal.SIGKILL)
            kills += 1
            worker.start()
    _sweep()  # what beat does every minute: rows whose task died with the worker
    _wait_until_sent(tickets)
    handler.wait_for(BURST, timeout=60)
    time.sleep(3)

    # A kill can land after the sink took a message and before its row said "sent":
    # that one message may go out again (same Message-ID), at most once per kill.
    figures = record_delivery(handler, tickets, window=kills)

    assert figures["expected"] == BURST, worker.log.read_text()[-4000:]
    assert figures["lost"] == 0, worker.log.read_text()[-4000:]
    assert figures["beyond_window"] == 0


def test_redis_cut_off_while_changes_commit_delays_mail_and_loses_none(
    queue,  # noqa: F811
    worker,  # noqa: F811
    sink,  # noqa: F811
    cable,
):
    handler, _ = sink
    before = [_create(queue, n) for n in range(3)]
    handler.wait_for(3, timeout=60)

    cable.cut()
    during = [_create(queue, n) for n in range(3, 8)]  # enqueues fail, rows commit
    time.sleep(5)
    sent_while_down = len(handler.messages) - 3
    cable.plug()
    _sweep()
    tickets = before + during
    _wait_until_sent(tickets)
    handler.wait_for(len(tickets), timeout=90)
    time.sleep(3)

    figures = record_delivery(handler, tickets)

    assert sent_while_down == 0
    assert figures["expected"] == len(tickets)
    assert figures["lost"] == 0, worker.log.read_text()[-4000:]
    assert figures["beyond_window"] == 0
