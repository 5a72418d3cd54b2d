"""Celery tasks of the mail gateway: thin wrappers over the services."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


@shared_task(name="mailgate.tasks.poll_mailboxes_task", ignore_result=True)
def poll_mailboxes_task(force: bool = False) -> list[str]:
    """Run by beat every minute; each mailbox keeps its own interval."""
    from mailgate.polling import poll_due_mailboxes

    return [str(result) for result in poll_due_mailboxes(force=force)]


@shared_task(name="mailgate.tasks.send_notice_task", ignore_result=True)
def send_notice_task(inbound_id: int) -> bool:
    """The sender notice of one inbound message; at most once (see mailgate.notices)."""
    from mailgate.notices import send_notice

    try:
        return send_notice(inbound_id)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Notice for inbound #%s not sent: %s", inbound_id, exc)
        return False


@shared_task(
    name="mailgate.tasks.process_inbound_task",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def process_inbound_task(inbound_id: int) -> str:
    """Apply one message the spool path stored; woken by `manage.py mailgate`."""
    from mailgate.services import process_spooled

    result = process_spooled(inbound_id)
    return "taken" if result is None else str(result.status)


@shared_task(name="mailgate.tasks.drain_spool_task", ignore_result=True)
def drain_spool_task() -> int:
    """Run by beat every minute: spooled messages whose wake-up was lost."""
    from mailgate.services import drain_spool

    return drain_spool()
