"""Celery tasks of the mail gateway: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="mailgate.tasks.poll_mailboxes_task", ignore_result=True)
def poll_mailboxes_task(force: bool = False) -> list[str]:
    """Run by beat every minute; each mailbox keeps its own interval."""
    from mailgate.polling import poll_due_mailboxes

    return [str(result) for result in poll_due_mailboxes(force=force)]
