"""Due dates from a queue's service level, counted in business hours.

The rule, stateless so it can be recomputed after any change: the response target runs
from the oldest requestor message not yet answered by someone else (none pending: no
response deadline); the keep-in-loop target runs from the latest staff answer while no
requestor message is pending, so an answered customer hears again within that time; the
resolve target runs from creation; Due is the earliest of them, or empty when none
applies. Closed tickets keep their Due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scrips.models import ServiceLevel
from tracker.models import Role, Ticket, TicketWatcher, TransactionType


def add_business_minutes(
    start: datetime, minutes: int, level: ServiceLevel
) -> datetime:
    """`start` plus `minutes`, counting only workday hours when the level says so."""
    if not level.business_hours_only:
        return start + timedelta(minutes=minutes)
    zone = ZoneInfo(level.time_zone)
    moment = start.astimezone(zone)
    remaining = timedelta(minutes=minutes)
    workdays = level.workday_numbers or {0, 1, 2, 3, 4}
    for _ in range(3660):  # ten years of days: a bound, never reached in practice
        day_start = moment.replace(
            hour=level.workday_start.hour,
            minute=level.workday_start.minute,
            second=0,
            microsecond=0,
        )
        day_end = moment.replace(
            hour=level.workday_end.hour,
            minute=level.workday_end.minute,
            second=0,
            microsecond=0,
        )
        if moment.weekday() in workdays and moment < day_end:
            moment = max(moment, day_start)
            available = day_end - moment
            if remaining <= available:
                return (moment + remaining).astimezone(start.tzinfo)
            remaining -= available
        next_day = (moment + timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        moment = next_day
    raise ValueError("The service level has no working time.")


def _conversation_state(ticket: Ticket) -> tuple[datetime | None, datetime | None]:
    """(oldest requestor message still unanswered, latest staff answer)."""
    requestor_ids = set(
        TicketWatcher.objects.filter(
            ticket=ticket, role=Role.REQUESTOR, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    oldest = None
    last_answer = None
    for txn_type, creator_id, created in (
        ticket.transactions.filter(
            type__in=(TransactionType.CREATE, TransactionType.CORRESPOND)
        )
        .order_by("pk")
        .values_list("type", "creator_id", "created")
    ):
        # The creation is the request, whoever typed it (staff opening on behalf).
        from_requestor = (
            txn_type == TransactionType.CREATE or creator_id in requestor_ids
        )
        if from_requestor and oldest is None:
            oldest = ticket.created if txn_type == TransactionType.CREATE else created
        elif not from_requestor and txn_type == TransactionType.CORRESPOND:
            oldest = None  # answered
            last_answer = created
    return oldest, last_answer


def sla_due(ticket: Ticket) -> datetime | None:
    """The Due the ticket's service level asks for (None: no deadline applies)."""
    level = ServiceLevel.objects.filter(queue_id=ticket.queue_id).first()
    if level is None:
        return ticket.due
    candidates = []
    waiting_since, last_answer = _conversation_state(ticket)
    if level.response_minutes is not None and waiting_since is not None:
        candidates.append(
            add_business_minutes(waiting_since, level.response_minutes, level)
        )
    keep_in_loop = level.keep_in_loop_minutes
    if keep_in_loop is not None and waiting_since is None and last_answer is not None:
        candidates.append(add_business_minutes(last_answer, keep_in_loop, level))
    if level.resolve_minutes is not None:
        start = ticket.starts or ticket.created
        candidates.append(add_business_minutes(start, level.resolve_minutes, level))
    return min(candidates) if candidates else None
