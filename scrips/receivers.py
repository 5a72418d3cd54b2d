"""The receiver of `tracker.signals.transaction_committed`: it only enqueues."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def enqueue_scrips(sender: object, transaction_id: int, **kwargs: Any) -> None:
    """Sent after the change committed; the worker runs the scrips.

    The change is already committed, so a broker that is down must not fail the
    request that made it: the error is logged here and the periodic sweep
    (`sweep_outbox_task`) runs the scrips once the broker is back.
    SCRIPS_RUN_ON_COMMIT=False (for other apps' unit tests) leaves the work to the
    sweep alone.
    """
    if not getattr(settings, "SCRIPS_RUN_ON_COMMIT", True):
        return
    from scrips.tasks import run_scrips_task

    try:
        run_scrips_task.delay(transaction_id)
    except (BrokerError, OSError) as exc:
        logger.warning(
            "Scrips of transaction %s not queued (broker unavailable: %s); "
            "the outbox sweep will run them.",
            transaction_id,
            exc,
        )
