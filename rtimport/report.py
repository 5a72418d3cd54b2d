"""Counts per kind (imported, already there, skipped and why) and a progress bar."""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Report:
    imported: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    skipped: defaultdict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def add(self, kind: str) -> None:
        self.imported[kind] += 1

    def exists(self, kind: str) -> None:
        """Imported by an earlier run (or already present): left as it is."""
        self.existing[kind] += 1

    def skip(self, kind: str, reason: str, n: int = 1) -> None:
        self.skipped[kind][reason] += n

    def kinds(self) -> list[str]:
        return sorted(set(self.imported) | set(self.existing) | set(self.skipped))

    def lines(self) -> list[str]:
        out = [f"{'kind':<22}{'imported':>10}{'already':>10}{'skipped':>10}"]
        for kind in self.kinds():
            skipped = sum(self.skipped[kind].values())
            out.append(
                f"{kind:<22}{self.imported[kind]:>10}{self.existing[kind]:>10}{skipped:>10}"
            )
            for reason, count in sorted(self.skipped[kind].items()):
                out.append(f"    skipped {count}: {reason}")
        return out

    def as_dict(self) -> dict[str, dict[str, object]]:
        return {
            kind: {
                "imported": self.imported[kind],
                "already": self.existing[kind],
                "skipped": dict(self.skipped[kind]),
            }
            for kind in self.kinds()
        }


class Progress:
    """A one-line bar on a terminal, a line every 10% elsewhere (logs stay short)."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.is_tty = self.stream.isatty()

    def track(self, label: str, total: int) -> _Bar:
        return _Bar(self, label, total)


class _Bar:
    def __init__(self, progress: Progress, label: str, total: int) -> None:
        self.progress, self.label, self.total = progress, label, max(total, 0)
        self.done = 0
        self.started = time.monotonic()
        self._last_decile = -1

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.progress.enabled:
            return
        fraction = self.done / self.total if self.total else 1.0
        if self.progress.is_tty:
            width = 30
            filled = int(width * fraction)
            self.progress.stream.write(
                f"\r{self.label:<14} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done}/{self.total}"
            )
            if self.done >= self.total:
                self.progress.stream.write("\n")
            self.progress.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self._last_decile:
            self._last_decile = decile
            elapsed = time.monotonic() - self.started
            self.progress.stream.write(
                f"{self.label}: {self.done}/{self.total} ({elapsed:.1f}s)\n"
            )
