"""Thin Celery tasks: load by id, call one service. Enqueued after commit."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from scrips import outbox, periodic, services


class TemporarySendError(Exception):
    """The SMTP server refused for now; Celery retries with backoff."""


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def run_scrips_task(transaction_id: int) -> list[int]:
    """Run the scrips of one committed transaction, then queue the mail they wrote."""
    notification_ids = services.run_scrips(transaction_id)
    for pk in notification_ids:
        transaction.on_commit(lambda pk=pk: send_notification_task.delay(pk))
    return notification_ids


@shared_task(
    acks_late=True,
    autoretry_for=(TemporarySendError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=outbox.MAX_ATTEMPTS,
)
def send_notification_task(notification_id: int) -> str:
    """Send one outbox row (once); retried with backoff on temporary SMTP errors."""
    result = outbox.send_notification(notification_id)
    if result == outbox.SendResult.RETRY:
        raise TemporarySendError(f"Notification {notification_id} will be retried.")
    return result


@shared_task
def sweep_outbox_task() -> dict[str, int]:
    """Beat backstop: re-queue scrips whose enqueue was lost (broker down at commit)
    and outbox rows still pending, so an outage only delays mail."""
    transaction_ids = services.unprocessed_transaction_ids(
        older_than=timedelta(seconds=60), within=timedelta(days=2)
    )
    for pk in transaction_ids:
        run_scrips_task.delay(pk)
    notification_ids = services.pending_notification_ids(
        older_than=timedelta(minutes=5)
    )
    for pk in notification_ids:
        send_notification_task.delay(pk)
    return {
        "transactions": len(transaction_ids),
        "notifications": len(notification_ids),
    }


@shared_task
def escalate_priorities_task() -> int:
    """Beat: LinearEscalate over active tickets."""
    return len(periodic.escalate_priorities(now=timezone.now()).changed)


@shared_task
def escalate_overdue_task() -> int:
    """Beat: overdue active tickets jump to their final priority."""
    return len(periodic.escalate_overdue(now=timezone.now()).changed)


@shared_task
def remind_untaken_task() -> int:
    """Beat: remind queue AdminCcs of tickets nobody took (SCRIPS_UNTAKEN_HOURS)."""
    hours = float(getattr(settings, "SCRIPS_UNTAKEN_HOURS", 24))
    return len(periodic.remind_untaken(now=timezone.now(), hours=hours).changed)
