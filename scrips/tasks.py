"""Thin Celery tasks: load by id, call one service. Enqueued after commit.

Periodic tasks take their options as keyword arguments, which the `PeriodicJob` rows
(edited in the admin) supply through `scrips.beat.DatabaseScheduler`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from scrips import outbox, periodic, services, webhooks


class TemporarySendError(Exception):
    """The SMTP server (or webhook receiver) refused for now; Celery retries."""


def _send_after_commit(notification_ids: Iterable[int]) -> None:
    for pk in notification_ids:
        transaction.on_commit(lambda pk=pk: send_notification_task.delay(pk))


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def run_scrips_task(transaction_id: int) -> dict[str, list[int]]:
    """Run the scrips of one committed transaction, then queue what they wrote."""
    with transaction.atomic():
        result = services.run_scrips(transaction_id)
        _send_after_commit(result.notification_ids)
        for pk in result.webhook_ids:
            transaction.on_commit(lambda pk=pk: deliver_webhook_task.delay(pk))
    return {"notifications": result.notification_ids, "webhooks": result.webhook_ids}


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


@shared_task(
    acks_late=True,
    autoretry_for=(TemporarySendError,),
    retry_backoff=10,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=webhooks.MAX_ATTEMPTS,
)
def deliver_webhook_task(delivery_id: int) -> str:
    """POST one webhook delivery; retried with backoff on 5xx and connection errors."""
    result = webhooks.deliver_webhook(delivery_id)
    if result == webhooks.WebhookResult.RETRY:
        raise TemporarySendError(f"Webhook {delivery_id} will be retried.")
    return result


@shared_task
def sweep_outbox_task(
    transaction_age: float = 60, notification_age: float = 300
) -> dict[str, int]:
    """Beat backstop: re-queue scrips whose enqueue was lost (broker down at commit)
    and outbox rows still pending (their task lost, e.g. a worker killed), so an
    outage only delays mail. Ages in seconds."""
    transaction_ids = services.unprocessed_transaction_ids(
        older_than=timedelta(seconds=transaction_age), within=timedelta(days=2)
    )
    for pk in transaction_ids:
        run_scrips_task.delay(pk)
    notification_ids = services.pending_notification_ids(
        older_than=timedelta(seconds=notification_age)
    )
    for pk in notification_ids:
        send_notification_task.delay(pk)
    webhook_ids = services.pending_webhook_ids(
        older_than=timedelta(seconds=notification_age)
    )
    for pk in webhook_ids:
        deliver_webhook_task.delay(pk)
    return {
        "transactions": len(transaction_ids),
        "notifications": len(notification_ids),
        "webhooks": len(webhook_ids),
    }


@shared_task
def escalate_priorities_task(linear: bool = True) -> int:
    """Beat: LinearEscalate (or EscalatePriority) over active tickets."""
    return len(periodic.escalate_priorities(now=timezone.now(), linear=linear).changed)


@shared_task
def escalate_overdue_task() -> int:
    """Beat: overdue active tickets jump to their final priority."""
    return len(periodic.escalate_overdue(now=timezone.now()).changed)


@shared_task
def remind_untaken_task(hours: float = 24) -> int:
    """Beat: remind queue AdminCcs of tickets nobody took within `hours`."""
    return len(periodic.remind_untaken(now=timezone.now(), hours=hours).changed)


@shared_task
def send_reminders_task() -> int:
    """Beat: mail the owners of reminders that are due."""
    with transaction.atomic():
        written = periodic.send_reminders(now=timezone.now())
        _send_after_commit(written)
    return len(written)


@shared_task
def send_digests_task() -> int:
    """Beat: the daily digest of open tickets to each staff member."""
    with transaction.atomic():
        written = periodic.send_digests(now=timezone.now())
        _send_after_commit(written)
    return len(written)


@shared_task
def auto_close_task(days: float = 14, **options: Any) -> int:
    """Beat (disabled by default): close tickets waiting on the customer for `days`."""
    return len(periodic.auto_close(now=timezone.now(), days=days, **options).changed)
