"""The beat backstop: work whose enqueue was lost (broker down) is found again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scrips import services
from scrips.tasks import sweep_outbox_task
from tests.factories import make_ticket
from tests.scrips.conftest import make_scrip
from tracker.models import Transaction, TransactionType

pytestmark = pytest.mark.usefixtures("no_default_scrips")

NOW = {"older_than": timedelta(0), "within": timedelta(days=1)}


def test_transaction_whose_task_was_lost_is_found(queue):
    ticket = make_ticket(queue=queue)  # no on_commit here: as if the broker was down
    create = Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)
    assert services.unprocessed_transaction_ids(**NOW) == [create.pk]


def test_processed_transactions_are_not_found_again(queue):
    ticket = make_ticket(queue=queue)
    create = Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)
    services.run_scrips(create.pk)
    assert services.unprocessed_transaction_ids(**NOW) == []


def test_pending_notification_is_found(queue):
    make_scrip("On Create", "Notify Requestors")
    ticket = make_ticket(queue=queue, requestors=["carol@customer.example"])
    create = Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)
    ids = services.run_scrips(create.pk).notification_ids
    assert services.pending_notification_ids(older_than=timedelta(0)) == ids


def test_sweep_leaves_fresh_work_to_its_own_tasks(queue):
    make_ticket(queue=queue)
    assert sweep_outbox_task.apply().get() == {
        "transactions": 0,
        "notifications": 0,
        "webhooks": 0,
    }


def test_a_broker_down_at_commit_fails_nothing_and_leaves_work_for_the_sweep(
    queue, caplog, django_capture_on_commit_callbacks
):
    import socket

    from tracker.celery import app as celery_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.update(broker_url=dead, task_always_eager=False)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(queue=queue)
    finally:
        celery_app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    assert "the outbox sweep will run them" in caplog.text
    create = ticket.transactions.get(type="Create")
    found = services.unprocessed_transaction_ids(
        older_than=timedelta(seconds=-60), within=timedelta(days=1)
    )
    assert found == [create.pk]
