"""The Webhook action against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry

from scrips import webhooks
from scrips.models import WebhookDelivery
from scrips.tasks import deliver_webhook_task
from tests.factories import make_ticket
from tests.scrips.conftest import make_scrip

pytestmark = pytest.mark.usefixtures("no_default_scrips")

SECRET = "webhook-test-secret"


class Receiver:
    """Answers with the queued status codes (then 200) and keeps what it received."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.SCRIPS_WEBHOOK_SECRET = SECRET
    with Receiver() as server:
        yield server


def _fire(queue, receiver, capture):
    make_scrip("On Create", "Webhook", "Blank", action_argument=receiver.url)
    with capture(execute=True):
        return make_ticket(queue=queue, subject="Disk full")


def test_webhook_posts_the_event_as_json(
    queue, receiver, django_capture_on_commit_callbacks
):
    ticket = _fire(queue, receiver, django_capture_on_commit_callbacks)
    [(headers, body)] = receiver.requests
    event = json.loads(body)
    assert headers["Content-Type"] == "application/json"
    assert event["ticket"]["id"] == ticket.pk
    assert event["ticket"]["subject"] == "Disk full"
    assert event["transaction"]["type"] == "Create"
    assert headers["X-Tracker-Event"] == event["event"]


def test_webhook_signature_verifies_with_the_shared_secret(
    queue, receiver, django_capture_on_commit_callbacks
):
    _fire(queue, receiver, django_capture_on_commit_callbacks)
    [(headers, body)] = receiver.requests
    timestamp, signature = (
        headers["X-Tracker-Timestamp"],
        headers["X-Tracker-Signature"],
    )
    assert webhooks.verify(body, timestamp, signature, SECRET.encode())
    assert not webhooks.verify(body + b" ", timestamp, signature, SECRET.encode())
    assert not webhooks.verify(body, timestamp, signature, b"another secret")


def _written(queue, url):
    """Run the scrips of a new ticket's Create without its send tasks."""
    from scrips.services import run_scrips
    from tracker.models import Transaction

    make_scrip("On Create", "Webhook", "Blank", action_argument=url)
    ticket = make_ticket(queue=queue)
    create = Transaction.objects.get(ticket=ticket, type="Create")
    [delivery_id] = run_scrips(create.pk).webhook_ids
    return delivery_id


def test_webhook_is_retried_after_a_server_error_and_delivered_once(queue, receiver):
    receiver.statuses = [503]
    delivery_id = _written(queue, receiver.url)
    assert webhooks.deliver_webhook(delivery_id) == "retry"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.response_code) == ("pending", 503)
    assert webhooks.deliver_webhook(delivery_id) == "sent"
    assert webhooks.deliver_webhook(delivery_id) == "skipped"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(receiver.requests) == 2
    assert receiver.requests[0][1] == receiver.requests[1][1]


def test_webhook_task_asks_celery_to_retry_on_a_server_error(queue, receiver):
    receiver.statuses = [500]
    delivery_id = _written(queue, receiver.url)
    with pytest.raises(Retry):
        deliver_webhook_task.apply(args=[delivery_id])
    deliver_webhook_task.apply(args=[delivery_id])
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "sent"


def test_webhook_gives_up_on_a_client_error(
    queue, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [404]
    _fire(queue, receiver, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 404)


def test_webhook_to_a_closed_port_stays_pending_for_a_retry(queue):
    with Receiver() as gone:
        url = gone.url
    delivery_id = _written(queue, url)
    assert webhooks.deliver_webhook(delivery_id) == "retry"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "pending"
    assert "refused" in delivery.last_error.lower()


def test_webhook_refuses_a_non_http_url(queue, django_capture_on_commit_callbacks):
    from scrips.models import ScripRun

    scrip = make_scrip(
        "On Create", "Webhook", "Blank", action_argument="file:///etc/passwd"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue)
    assert ScripRun.objects.get(scrip=scrip).status == "failed"
    assert not WebhookDelivery.objects.exists()
