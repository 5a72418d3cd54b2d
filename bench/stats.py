"""Summaries of timing samples: median, p90, p99 and throughput."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Measurement:
    """One benchmark row. Times are in milliseconds; throughput is operations a second."""

    name: str
    group: str
    n: int = 0
    median_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    throughput: float | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of non-empty `samples`."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(
    name: str, group: str, samples_s: list[float], wall_s: float | None = None
) -> Measurement:
    """Latency samples in seconds, and the wall time of the whole series (for the rate;
    the sum of samples when the series ran one at a time)."""
    row = Measurement(name=name, group=group, n=len(samples_s))
    if not samples_s:
        row.notes.append("no samples")
        return row
    ms = [s * 1000 for s in samples_s]
    row.median_ms = round(statistics.median(ms), 2)
    row.p90_ms = round(percentile(ms, 0.90), 2)
    row.p99_ms = round(percentile(ms, 0.99), 2)
    wall = wall_s if wall_s is not None else sum(samples_s)
    row.throughput = round(len(samples_s) / wall, 2) if wall > 0 else None
    return row


# A series stops early once it has run this long and has MIN_SAMPLES samples: a slow row
# (a process start under load) then costs its budget, not n times its latency. The runner
# sets it per scale; None runs every series to n.
BUDGET_S: float | None = None
MIN_SAMPLES = 5


def time_calls(
    fn: Callable[[int], object], n: int, warmup: int = 1
) -> tuple[list[float], float]:
    """Call fn(i) `warmup` times unmeasured, then up to n times (see BUDGET_S); the
    samples and the wall time."""
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - t0)
        if (
            BUDGET_S is not None
            and len(samples) >= MIN_SAMPLES
            and time.perf_counter() - started > BUDGET_S
        ):
            break
    return samples, time.perf_counter() - started


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as elapsed:` leaves the seconds in elapsed[0]."""
    box: list[float] = [0.0]
    t0 = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - t0
