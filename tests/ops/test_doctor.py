"""`manage.py doctor` names what would stop a deployment from working."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_queue

pytestmark = pytest.mark.django_db


def _doctor(capsys) -> str:
    call_command("doctor")
    return capsys.readouterr().out


def test_fresh_install_passes_the_doctor(capsys):
    out = _doctor(capsys)
    assert "database: " in out
    assert "FAIL" not in out


def test_queue_that_strangers_cannot_mail_is_flagged(capsys):
    make_queue("noc", correspond_address="noc@example.org")
    assert "may create tickets in 'noc' by mail" in _doctor(capsys)


def test_general_queue_takes_mail_from_everyone_by_default(capsys):
    from queues.models import Queue

    Queue.objects.filter(name="General").update(correspond_address="help@example.org")
    assert "in 'General' by mail" not in _doctor(capsys)


def test_shared_address_between_queues_fails(capsys):
    make_queue("a", correspond_address="same@example.org")
    make_queue("b", comment_address="SAME@example.org")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("doctor")
    assert "belongs to 2 queues" in capsys.readouterr().out


def test_missing_worker_fails_when_a_broker_is_configured(capsys, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    from tracker.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        with pytest.raises(CommandError):
            call_command("doctor")
    finally:
        app.conf.broker_url = None
    out = capsys.readouterr().out
    assert "workers: no worker answered" in out
    assert out.count("workers:") == 1


def test_doctor_reports_the_workers_once(capsys):
    out = _doctor(capsys)
    assert out.count("workers:") == 1
    assert "worker(s) answered" not in out
