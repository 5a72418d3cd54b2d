"""Each scrip runs once per transaction and each notification is sent once."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction

from scrips import outbox, services
from scrips.models import Notification, NotificationStatus, ScripRun
from scrips.tasks import run_scrips_task, send_notification_task
from tests.factories import make_ticket
from tests.scrips.backends import FlakyBackend
from tests.scrips.conftest import make_scrip
from tracker.models import Transaction, TransactionType

pytestmark = pytest.mark.usefixtures("no_default_scrips")


@pytest.fixture
def create_scrip(db):
    return make_scrip("On Create", "Notify Requestors")


def _create(queue):
    return make_ticket(queue=queue, requestors=["carol@customer.example"])


def _create_txn(ticket):
    return Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)


def test_rolled_back_change_sends_nothing(
    queue, create_scrip, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    def change_then_fail():
        with transaction.atomic():
            _create(queue)
            raise Boom

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
    ):
        change_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_scrips_run_once_when_the_task_is_delivered_twice(queue, create_scrip):
    ticket = _create(queue)
    txn = _create_txn(ticket)
    first = services.run_scrips(txn.pk).notification_ids
    second = services.run_scrips(txn.pk).notification_ids
    assert len(first) == 1
    assert second == []
    assert ScripRun.objects.filter(scrip=create_scrip, transaction=txn).count() == 1


def test_a_claimed_scrip_run_is_not_run_again_even_behind_the_cursor(
    queue, create_scrip
):
    ticket = _create(queue)
    txn = _create_txn(ticket)
    services.run_scrips(txn.pk)
    ticket.scrip_cursor.last_transaction_id = 0
    ticket.scrip_cursor.save()
    assert services.run_scrips(txn.pk).notification_ids == []
    assert Notification.objects.count() == 1


def test_notification_is_sent_once_when_its_task_runs_twice(queue, create_scrip):
    ticket = _create(queue)
    [notification_id] = services.run_scrips(_create_txn(ticket).pk).notification_ids
    assert outbox.send_notification(notification_id) == outbox.SendResult.SENT
    assert outbox.send_notification(notification_id) == outbox.SendResult.SKIPPED
    assert len(mail.outbox) == 1
    records = Transaction.objects.filter(
        ticket=ticket, type=TransactionType.EMAIL_RECORD
    )
    assert records.count() == 1


def test_temporary_smtp_failure_keeps_the_notification_pending(
    queue, create_scrip, settings
):
    settings.EMAIL_BACKEND = "tests.scrips.backends.FlakyBackend"
    FlakyBackend.failures = 1
    ticket = _create(queue)
    [notification_id] = services.run_scrips(_create_txn(ticket).pk).notification_ids
    assert outbox.send_notification(notification_id) == outbox.SendResult.RETRY
    row = Notification.objects.get(pk=notification_id)
    assert row.status == NotificationStatus.PENDING
    assert row.attempts == 1
    assert "Connection unexpectedly closed" in row.last_error
    assert outbox.send_notification(notification_id) == outbox.SendResult.SENT
    assert len(mail.outbox) == 1


def test_send_task_asks_celery_to_retry_on_temporary_failure(
    queue, create_scrip, settings
):
    settings.EMAIL_BACKEND = "tests.scrips.backends.FlakyBackend"
    FlakyBackend.failures = 1
    ticket = _create(queue)
    [notification_id] = services.run_scrips(_create_txn(ticket).pk).notification_ids
    with pytest.raises(Retry):
        send_notification_task.apply(args=[notification_id])
    send_notification_task.apply(args=[notification_id])
    assert Notification.objects.get(pk=notification_id).status == "sent"
    assert len(mail.outbox) == 1


def test_permanent_smtp_failure_marks_the_notification_failed(
    queue, create_scrip, settings
):
    settings.EMAIL_BACKEND = "tests.scrips.backends.RefusingBackend"
    ticket = _create(queue)
    [notification_id] = services.run_scrips(_create_txn(ticket).pk).notification_ids
    assert outbox.send_notification(notification_id) == outbox.SendResult.FAILED
    assert Notification.objects.get(pk=notification_id).status == "failed"
    assert not Transaction.objects.filter(
        ticket=ticket, type=TransactionType.EMAIL_RECORD
    ).exists()


def test_sending_mail_does_not_bump_last_updated(
    queue, create_scrip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _create(queue)
    before = ticket.last_updated
    ticket.refresh_from_db()
    assert len(mail.outbox) == 1
    assert ticket.last_updated == before


def test_email_records_do_not_trigger_scrips(queue, db):
    make_scrip("On Transaction", "Notify Requestors")
    ticket = _create(queue)
    [notification_id] = run_scrips_task.apply(args=[_create_txn(ticket).pk]).get()[
        "notifications"
    ]
    outbox.send_notification(notification_id)
    record = Transaction.objects.get(ticket=ticket, type=TransactionType.EMAIL_RECORD)
    assert services.run_scrips(record.pk).notification_ids == []
    assert len(mail.outbox) == 1
