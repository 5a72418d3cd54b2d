"""Running scrips for committed transactions, once each, in order per ticket.

`run_scrips(transaction_id)` locks the ticket's TicketScripCursor, takes every committed
transaction of that ticket after the cursor (so the whole of one commit is always seen
together), runs the TransactionCreate scrips for each, then the TransactionBatch scrips
once for the lot, writes outbox rows, and moves the cursor, all in one database
transaction. A redelivered or duplicate task finds the cursor past its transaction and
does nothing; ScripRun's unique key and conditional claim guard each scrip run as well.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from scrips.actions import Action, Draft, ScripContext, get_action
from scrips.conditions import get_condition
from scrips.models import (
    Notification,
    NotificationStatus,
    Scrip,
    ScripQueue,
    ScripRun,
    ScripRunStatus,
    Stage,
    TicketScripCursor,
    WebhookDelivery,
)
from scrips.outbox import build_notification
from scrips.rendering import TemplateError
from tracker.errors import DomainError
from tracker.models import Ticket, TicketType, Transaction, TransactionType

logger = logging.getLogger(__name__)

# Records of mail we sent never trigger scrips (RT does not activate scrips on them).
SILENT_TYPES = frozenset(
    {TransactionType.EMAIL_RECORD, TransactionType.COMMENT_EMAIL_RECORD}
)


def scrips_for(queue_id: int, stage: str) -> list[Scrip]:
    """Enabled scrips applied to this queue or globally, in sort order, each once."""
    rows = (
        ScripQueue.objects.filter(stage=stage, scrip__is_active=True)
        .filter(Q(queue_id=queue_id) | Q(queue__isnull=True))
        .select_related("scrip")
        .order_by("sort_order", "scrip_id")
    )
    seen: set[int] = set()
    result = []
    for row in rows:
        if row.scrip_id not in seen:
            seen.add(row.scrip_id)
            result.append(row.scrip)
    return result


def _lock_cursor(ticket_id: int) -> TicketScripCursor:
    try:
        with transaction.atomic():
            TicketScripCursor.objects.get_or_create(ticket_id=ticket_id)
    except IntegrityError:  # created meanwhile by a concurrent run
        pass
    return TicketScripCursor.objects.select_for_update().get(ticket_id=ticket_id)


@dataclass
class _Prepared:
    """One scrip ready to commit: a context and drafts per ticket it acts on (the
    transaction's ticket, or the tickets a cross-ticket condition names)."""

    scrip: Scrip
    action: Action | None
    anchor: Transaction
    runs: list[tuple[ScripContext, list[Draft]]]
    error: str = ""


def _prepare(ticket: Ticket, txns: list[Transaction], stage: str) -> list[_Prepared]:
    prepared = []
    for scrip in scrips_for(ticket.queue_id, stage):
        try:
            condition = get_condition(scrip.condition)
            action = get_action(scrip.action)
        except LookupError as exc:
            prepared.append(_Prepared(scrip, None, txns[-1], [], str(exc)))
            continue
        matched = next(
            (
                t
                for t in txns
                if condition.is_applicable(t, ticket, scrip.condition_argument)
            ),
            None,
        )
        if matched is None:
            continue
        anchor = txns[-1] if stage == Stage.TRANSACTION_BATCH else matched
        item = _Prepared(scrip, action, anchor, [])
        try:
            for target in condition.targets(matched, ticket, scrip.condition_argument):
                ctx = ScripContext(
                    scrip=scrip, ticket=target, transaction=matched, batch=txns
                )
                item.runs.append((ctx, action.prepare(ctx)))
        except (TemplateError, DomainError, LookupError) as exc:
            item.runs, item.error = [], str(exc)
        prepared.append(item)
    return prepared


def _claim(scrip: Scrip, anchor: Transaction, stage: str) -> ScripRun | None:
    """The ScripRun row, claimed for this run; None when it already ran."""
    run, _ = ScripRun.objects.get_or_create(
        scrip=scrip, transaction=anchor, stage=stage
    )
    claimed = ScripRun.objects.filter(pk=run.pk, status=ScripRunStatus.PENDING).update(
        status=ScripRunStatus.DONE
    )
    return run if claimed else None


def _commit(prepared: list[_Prepared], stage: str) -> tuple[list[int], list[int]]:
    """Commit each prepared scrip; returns the notification and webhook ids written."""
    notification_ids: list[int] = []
    webhook_ids: list[int] = []
    for item in prepared:
        run = _claim(item.scrip, item.anchor, stage)
        if run is None:
            continue
        error = item.error
        if not error and item.action is not None:
            try:
                with transaction.atomic():
                    for ctx, drafts in item.runs:
                        ctx.run = run
                        item.action.commit(ctx)
                        webhook_ids += ctx.webhook_ids
                        notification_ids += [
                            build_notification(
                                draft=draft,
                                run=run,
                                ticket=ctx.ticket,
                                txn=ctx.transaction,
                            ).pk
                            for draft in drafts
                        ]
            except (DomainError, LookupError) as exc:
                error = str(exc)
        if error:
            logger.warning(
                "Scrip %s failed on transaction %s: %s",
                item.scrip.pk,
                item.anchor.pk,
                error,
            )
            ScripRun.objects.filter(pk=run.pk).update(
                status=ScripRunStatus.FAILED, error=error[:2000]
            )
    return notification_ids, webhook_ids


@dataclass
class ScripResult:
    """What a run wrote, to be sent after commit."""

    notification_ids: list[int] = field(default_factory=list)
    webhook_ids: list[int] = field(default_factory=list)

    def add(self, written: tuple[list[int], list[int]]) -> None:
        self.notification_ids += written[0]
        self.webhook_ids += written[1]


def run_scrips(transaction_id: int) -> ScripResult:
    """Run the scrips of the ticket's transactions up to and including this one.

    Reminders (tickets of type reminder) run no scrips: the reminder job mails their
    owner when they are due.
    """
    ticket_id = (
        Transaction.objects.filter(pk=transaction_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
    result = ScripResult()
    if ticket_id is None:
        return result
    with transaction.atomic():
        cursor = _lock_cursor(ticket_id)
        if cursor.last_transaction_id >= transaction_id:
            return result
        news = list(
            Transaction.objects.filter(
                ticket_id=ticket_id, pk__gt=cursor.last_transaction_id
            )
            .select_related("creator")
            .order_by("pk")
        )
        cursor.last_transaction_id = news[-1].pk
        cursor.save(update_fields=["last_transaction_id"])
        txns = [t for t in news if t.type not in SILENT_TYPES]
        ticket = Ticket.objects.select_related("queue__lifecycle", "owner").get(
            pk=ticket_id
        )
        if not txns or ticket.type == TicketType.REMINDER:
            return result
        for txn in txns:
            result.add(
                _commit(
                    _prepare(ticket, [txn], Stage.TRANSACTION_CREATE),
                    Stage.TRANSACTION_CREATE,
                )
            )
        result.add(
            _commit(
                _prepare(ticket, txns, Stage.TRANSACTION_BATCH),
                Stage.TRANSACTION_BATCH,
            )
        )
    return result


def unprocessed_transaction_ids(
    *, older_than: timedelta, within: timedelta
) -> list[int]:
    """One transaction per ticket whose scrips have not run (its enqueue was lost)."""
    now = timezone.now()
    rows = (
        Transaction.objects.filter(
            ticket__isnull=False,
            created__lt=now - older_than,
            created__gte=now - within,
        )
        .exclude(type__in=SILENT_TYPES)
        .filter(
            Q(ticket__scrip_cursor__isnull=True)
            | Q(pk__gt=F("ticket__scrip_cursor__last_transaction_id"))
        )
        .order_by("ticket_id", "pk")
        .values_list("ticket_id", "pk")
    )
    first: dict[int, int] = {}
    for ticket_id, pk in rows[:5000]:
        first.setdefault(ticket_id, pk)
    return list(first.values())


def pending_notification_ids(*, older_than: timedelta) -> list[int]:
    """Outbox rows still waiting (their send task was lost or is retrying)."""
    return list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING,
            created__lt=timezone.now() - older_than,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


def pending_webhook_ids(*, older_than: timedelta) -> list[int]:
    """Webhook deliveries still waiting (their task was lost or is retrying)."""
    return list(
        WebhookDelivery.objects.filter(
            status=NotificationStatus.PENDING,
            created__lt=timezone.now() - older_than,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
