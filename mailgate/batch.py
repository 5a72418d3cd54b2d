"""Batch ingestion: every message of a Maildir or an mbox through ingest(), in one
process (`manage.py mailgate --maildir DIR` / `--mbox FILE`).

Messages are applied in groups of GROUP_SIZE per database transaction, each inside its
own savepoint (ingest's atomic block nests), so one bad message rolls back alone while a
group costs one commit. A Maildir message moves to the `.done` Maildir++ folder only
after the transaction holding it committed; a refused or failed one stays where it was.
An mbox is only read: a re-run finds what it already stored and records duplicates.
"""

from __future__ import annotations

import logging
import mailbox
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from mailgate.models import InboundStatus
from mailgate.services import GatewayRefusal, IngestResult, ingest, ingest_context

logger = logging.getLogger(__name__)

GROUP_SIZE = 50
DONE_FOLDER = ".done"
# Statuses of messages that were stored but are waiting in the quarantine list.
KEPT_ASIDE = (InboundStatus.REJECTED, InboundStatus.QUARANTINED, InboundStatus.FAILED)


@dataclass
class BatchSummary:
    """stored: applied to a ticket; duplicates: already stored before; quarantined:
    stored but kept aside (rejected, quarantined, failed); refused: permanently refused
    (too large); failed: not stored, to be retried by a re-run."""

    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    refused: int = 0
    failed: int = 0
    refusals: list[str] = field(default_factory=list)

    def add(self, other: BatchSummary) -> None:
        for name in ("stored", "duplicates", "quarantined", "refused", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refusals += other.refusals

    def count(self, result: IngestResult) -> None:
        if result.status == InboundStatus.DUPLICATE:
            self.duplicates += 1
        elif result.status in KEPT_ASIDE:
            self.quarantined += 1
        else:
            self.stored += 1

    def line(self) -> str:
        return (
            f"{self.stored} stored, {self.duplicates} duplicates, "
            f"{self.quarantined} quarantined, {self.refused} refused, "
            f"{self.failed} failed"
        )


def maildir_messages(path: Path) -> Iterator[tuple[Path, bytes]]:
    """(file, bytes) of each message in new/ and cur/, oldest name first."""
    for sub in ("new", "cur"):
        folder = path / sub
        if not folder.is_dir():
            continue
        for name in sorted(os.listdir(folder)):
            if not name.startswith("."):
                file = folder / name
                yield file, file.read_bytes()


def mark_done(root: Path, files: Iterable[Path]) -> None:
    """Move stored messages into the `.done` Maildir++ folder (cur/, seen)."""
    done = root / DONE_FOLDER
    for sub in ("cur", "new", "tmp"):
        (done / sub).mkdir(parents=True, exist_ok=True)
    for file in files:
        name = file.name if ":2," in file.name else f"{file.name}:2,S"
        file.rename(done / "cur" / name)


def mbox_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield str(key), box.get_bytes(key)
    finally:
        box.close()


def ingest_batch(
    messages: Iterable[tuple[object, bytes]],
    *,
    queue: str,
    action: str,
    ticket: str | None = None,
    interface: str = "pipe",
    on_committed: Callable[[list[object]], None] | None = None,
    group_size: int = GROUP_SIZE,
) -> BatchSummary:
    """Ingest each (key, raw) message; `on_committed` gets the keys of the messages
    (stored, duplicate or quarantined) once their group committed. Raises what ingest
    raises for the invocation itself (unknown queue, bad action) before storing any."""
    total = BatchSummary()
    with ingest_context(queue=queue, action=action, ticket=ticket) as context:
        group: list[tuple[object, bytes]] = []
        for item in messages:
            group.append(item)
            if len(group) >= group_size:
                total.add(_ingest_group(group, context, interface, on_committed))
                group = []
        if group:
            total.add(_ingest_group(group, context, interface, on_committed))
    return total


def _ingest_group(
    group: list[tuple[object, bytes]],
    context: dict,
    interface: str,
    on_committed: Callable[[list[object]], None] | None,
) -> BatchSummary:
    summary = BatchSummary()
    stored: list[object] = []
    try:
        with transaction.atomic():
            for key, raw in group:
                try:
                    result = ingest(raw=raw, interface=interface, **context)
                except GatewayRefusal as exc:
                    summary.refused += 1
                    summary.refusals.append(f"{key}: {exc.message}")
                    continue
                except Exception:  # one message; a re-run retries it
                    logger.exception("Message %s not stored", key)
                    summary.failed += 1
                    continue
                summary.count(result)
                stored.append(key)
    except Exception:  # the commit failed: nothing of the group is stored
        logger.exception("A group of %s messages was not stored", len(group))
        failed = BatchSummary(failed=len(group) - summary.refused)
        failed.refused, failed.refusals = summary.refused, summary.refusals
        return failed
    if on_committed is not None and stored:
        on_committed(stored)
    return summary
