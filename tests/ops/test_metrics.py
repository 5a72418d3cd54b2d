"""/metrics: Prometheus text with domain numbers and request latency, for allowed
scrapers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_ticket
from tracker import services
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_numbers(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    cache.delete("metrics:domain")
    yield
    cache.delete("metrics:domain")


def _samples(response) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_created_and_resolved_tickets(client):
    make_ticket(subject="one")
    ticket = make_ticket(subject="two")
    services.set_status(ticket=ticket, status="resolved", actor=system_user())
    samples = _samples(client.get("/metrics"))
    assert samples[("tracker_tickets_created_total", ())] == 2
    assert samples[("tracker_tickets_resolved_total", ())] == 1
    assert samples[("tracker_tickets", (("status", "resolved"),))] == 1


def test_metrics_count_inbound_mail_by_outcome(client):
    from mailgate.models import InboundEmail

    for n, status in enumerate(["processed", "processed", "quarantined"]):
        InboundEmail.objects.create(raw=b"x", sha256=str(n) * 64, status=status)
    samples = _samples(client.get("/metrics"))
    assert samples[("tracker_mails_ingested_total", (("status", "processed"),))] == 2
    assert samples[("tracker_mail_quarantine_size", ())] == 1


def test_metrics_show_outbox_depth_and_age(client):
    from scrips.models import Notification, Scrip, ScripRun

    ticket = make_ticket(requestors=["carol@example.org"])
    scrip = Scrip.objects.create(
        description="probe", condition="OnCreate", action="NotifyRequestors"
    )
    run = ScripRun.objects.create(
        scrip=scrip,
        transaction=ticket.transactions.first(),
        stage="TransactionCreate",
    )
    Notification.objects.create(
        scrip_run=run,
        ticket=ticket,
        message_id="<m1@test>",
        from_email="t@example.org",
        subject="s",
        created=timezone.now() - timedelta(minutes=10),
    )
    samples = _samples(client.get("/metrics"))
    assert samples[("tracker_outbox_pending", ())] == 1
    assert 590 < samples[("tracker_outbox_oldest_pending_age_seconds", ())] < 700


def test_metrics_time_requests_by_view(client):
    client.get("/healthz")
    samples = _samples(client.get("/metrics"))
    key = (
        "tracker_http_request_duration_seconds_count",
        (("method", "GET"), ("status", "2xx"), ("view", "healthz")),
    )
    assert samples[key] >= 1


def test_metrics_are_refused_to_a_remote_address_by_default(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_metrics_accept_the_configured_token(client, settings):
    settings.METRICS_TOKEN = "scrape-me"
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **remote).status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **remote)
    assert wrong.status_code == 403
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me", **remote)
    assert right.status_code == 200


def test_metrics_accept_an_allowed_network(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
