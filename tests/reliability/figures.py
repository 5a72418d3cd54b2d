"""Figures the security and reliability tests report for `make reliability`'s table.

Each test that measures something calls `record(area, metric, value)`. When the
environment names a file in RELIABILITY_FIGURES (the Makefile target does), one JSON
line is appended per call; otherwise nothing is written, so `make test` stays quiet.
`python -m tests.reliability.report FILE` sums the lines into one table.
"""

from __future__ import annotations

import json
import os
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
