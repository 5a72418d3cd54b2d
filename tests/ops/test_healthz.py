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


def test_healthz_reports_the_mail_quarantine_size(client):
    from mailgate.models import InboundEmail, InboundStatus

    for status in (InboundStatus.QUARANTINED, InboundStatus.FAILED):
        InboundEmail.objects.create(raw=b"x", sha256="0" * 64, status=status)
    InboundEmail.objects.create(
        raw=b"y", sha256="1" * 64, status=InboundStatus.PROCESSED
    )
    response = client.get("/healthz")
    quarantine = response.json()["checks"]["mail_quarantine"]
    assert quarantine["value"] == 2
    assert quarantine["ok"] is False
    # Waiting mail needs an administrator, not a load balancer's attention.
    assert response.status_code == 200


def test_healthz_quarantine_is_ok_when_empty(client):
    quarantine = client.get("/healthz").json()["checks"]["mail_quarantine"]
    assert quarantine == {
        "ok": True,
        "detail": "0 message(s) waiting",
        "critical": False,
        "value": 0,
    }


def test_healthz_without_broker_reports_in_process_tasks(client, settings):
    settings.CELERY_BROKER_URL = ""
    workers = client.get("/healthz").json()["checks"]["workers"]
    assert workers["ok"] is True
    assert workers["detail"] == "none: tasks run in-process"


def test_healthz_reports_missing_workers_without_failing(client, settings):
    from django.core.cache import cache

    cache.delete("healthz:workers")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["workers"] == {
        "ok": False,
        "detail": "no worker answered",
        "critical": False,
        "value": 0,
    }
    cache.delete("healthz:workers")
