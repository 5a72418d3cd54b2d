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
from dataclasses import dataclass
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
)
from scrips.outbox import build_notification
from scrips.rendering import TemplateError
from tracker.errors import DomainError
from tracker.models import Ticket, Transaction, TransactionType

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
    scrip: Scrip
    action: Action
    ctx: ScripContext
    anchor: Transaction
    drafts: list[Draft]
    error: str = ""


def _prepare(ticket: Ticket, txns: list[Transaction], stage: str) -> list[_Prepared]:
    prepared = []
    for scrip in scrips_for(ticket.queue_id, stage):
        try:
            condition = get_condition(scrip.condition)
            action = get_action(scrip.action)
        except LookupError as exc:
            prepared.append(
                _Prepared(scrip, None, None, txns[-1], [], str(exc))  # type: ignore[arg-type]
            )
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
        ctx = ScripContext(scrip=scrip, ticket=ticket, transaction=matched, batch=txns)
        anchor = txns[-1] if stage == Stage.TRANSACTION_BATCH else matched
        try:
            drafts = action.prepare(ctx)
        except (TemplateError, DomainError, LookupError) as exc:
            prepared.append(_Prepared(scrip, action, ctx, anchor, [], str(exc)))
            continue
        prepared.append(_Prepared(scrip, action, ctx, anchor, drafts))
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


def _commit(ticket: Ticket, prepared: list[_Prepared], stage: str) -> list[int]:
    notification_ids = []
    for item in prepared:
        run = _claim(item.scrip, item.anchor, stage)
        if run is None:
            continue
        error = item.error
        if not error:
            try:
                with transaction.atomic():
                    item.action.commit(item.ctx)
                    notification_ids += [
                        build_notification(
                            draft=draft,
                            run=run,
                            ticket=ticket,
                            txn=item.ctx.transaction,
                        ).pk
                        for draft in item.drafts
                    ]
            except DomainError as exc:
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
    return notification_ids


def run_scrips(transaction_id: int) -> list[int]:
    """Run the scrips of the ticket's transactions up to and including this one.

    Returns the ids of the notifications written (to be sent after commit).
    """
    ticket_id = (
        Transaction.objects.filter(pk=transaction_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
    if ticket_id is None:
        return []
    with transaction.atomic():
        cursor = _lock_cursor(ticket_id)
        if cursor.last_transaction_id >= transaction_id:
            return []
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
        if not txns:
            return []
        ticket = Ticket.objects.select_related("queue__lifecycle", "owner").get(
            pk=ticket_id
        )
        notification_ids: list[int] = []
        for txn in txns:
            notification_ids += _commit(
                ticket,
                _prepare(ticket, [txn], Stage.TRANSACTION_CREATE),
                Stage.TRANSACTION_CREATE,
            )
        notification_ids += _commit(
            ticket,
            _prepare(ticket, txns, Stage.TRANSACTION_BATCH),
            Stage.TRANSACTION_BATCH,
        )
    return notification_ids


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
