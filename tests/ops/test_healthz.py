"""/healthz answers load balancers: 200 when the components answer, 503 otherwise."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_with_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["detail"] == "up to date"


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_fails_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_reports_a_reachable_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"] == {
        "ok": True,
        "detail": "127.0.0.1:6379/15",
    }


def test_healthz_never_shows_broker_credentials(client, settings):
    settings.CELERY_BROKER_URL = "redis://user:s3cret@127.0.0.1:1/0"
    assert "s3cret" not in client.get("/healthz").content.decode()
