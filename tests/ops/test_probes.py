"""Probes reach a web process directly, over http and by its address: with production
security settings /healthz and /metrics still answer them, while pages still redirect."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_security(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []


def test_healthz_answers_a_probe_over_http_by_address(client, production_security):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_metrics_answer_a_loopback_scraper_over_http_by_address(
    client, production_security
):
    response = client.get("/metrics", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert b"tracker_tickets_created_total" in response.content


def test_metrics_still_refuse_a_scraper_outside_the_allowed_networks(
    client, production_security
):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_HOST="10.0.0.5")
    assert response.status_code == 403


def test_pages_still_redirect_to_https_and_check_the_host(client, production_security):
    assert client.get("/", HTTP_HOST="tracker.example.org").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_probe_requests_are_timed_under_their_view_name(client, production_security):
    from tracker.ops.metrics import REQUEST_LATENCY

    def count() -> float:
        for metric in REQUEST_LATENCY.collect():
            for sample in metric.samples:
                if (
                    sample.name.endswith("_count")
                    and sample.labels["view"] == "healthz"
                    and sample.labels["status"] == "2xx"
                ):
                    return sample.value
        return 0.0

    before = count()
    client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert count() == before + 1
