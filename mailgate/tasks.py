"""Celery tasks of the mail gateway: thin wrappers over the services."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

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
