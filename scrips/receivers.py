"""The receiver of `tracker.signals.transaction_committed`: it only enqueues."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def enqueue_scrips(sender: object, transaction_id: int, **kwargs: Any) -> None:
    """Sent after the change committed; the worker runs the scrips.

    If the broker is down the error is logged by the sender (a robust on_commit) and
    the periodic sweep picks the transaction up later. SCRIPS_RUN_ON_COMMIT=False
    (for other apps' unit tests) leaves the work to the sweep alone.
    """
    if not getattr(settings, "SCRIPS_RUN_ON_COMMIT", True):
        return
    from scrips.tasks import run_scrips_task

    run_scrips_task.delay(transaction_id)
