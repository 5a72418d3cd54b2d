"""Figures the security and reliability tests report for `make reliability`'s table.

Each test that measures something calls `record(area, metric, value)`. When the
environment names a file in RELIABILITY_FIGURES (the Makefile target does), one JSON
line is appended per call; otherwise nothing is written, so `make test` stays quiet.
`python -m tests.reliability.report FILE` sums the lines into one table.
`record_notifications` turns what a fault test's SMTP sink received into the
notification rows (expected, delivered, lost, duplicated).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path


def record(area: str, metric: str, value: int | float) -> None:
    target = os.environ.get("RELIABILITY_FIGURES")
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"area": area, "metric": metric, "value": value})
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def record_notifications(
    expected_ids: Iterable[str], delivered_ids: Iterable[str], *, window: int = 0
) -> dict[str, int]:
    """Notification figures of one fault test, from Message-IDs.

    `expected_ids` are the outbox rows the test's changes wrote, `delivered_ids` what
    the SMTP sink received (one entry per delivery). Every extra delivery is a
    duplicate; up to `window` of them are the documented one (the server took the
    DATA, the sender died before recording it) and are reported apart; the rest,
    like every lost notification, fail the gate.
    """
    expected = set(expected_ids)
    counts = Counter(delivered_ids)
    extra = sum(n - 1 for n in counts.values()) + sum(
        1 for message_id in counts if message_id not in expected
    )
    figures = {
        "expected": len(expected),
        "delivered": len(expected & set(counts)),
        "lost": len(expected - set(counts)),
        "in_window": min(extra, window),
    }
    figures["beyond_window"] = extra - figures["in_window"]
    record("notifications", "expected", figures["expected"])
    record("notifications", "delivered", figures["delivered"])
    record("notifications", "lost", figures["lost"])
    record("notifications", "sent again in the post-ACK window", figures["in_window"])
    record("notifications", "duplicated beyond that window", figures["beyond_window"])
    return figures
