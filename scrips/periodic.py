"""Periodic jobs (rt-crontool's recipes), run by Celery beat and the `crontool` command.

Each job changes tickets only through `tracker.services`, as the system user, so the
usual scrips (and their notifications) follow. Every function takes `now`, which the
tests freeze.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from lifecycles import registry as lifecycles
from scrips.conditions import get_condition
from scrips.models import Notification, Template
from scrips.rendering import TemplateError, render_template, template_context
from tracker import services
from tracker.errors import ValidationFailed
from tracker.models import Link, LinkType, Ticket, TicketType, TransactionType, User
from tracker.principals import system_user
from tracker.ticketsql import search


def escalated_priority(ticket: Ticket, now: datetime) -> int:
    """RT's EscalatePriority: close the gap to FinalPriority by 1/(days left) each
    run; all of it once Due has passed; one step a run when there is no Due."""
    final, current = ticket.final_priority, ticket.priority
    if current == final:
        return current
    step = 1 if final > current else -1
    if ticket.due is None:
        return current + step
    days_left = (ticket.due - now).total_seconds() / 86400
    if days_left <= 0:
        return final
    gap = final - current
    change = int(gap / max(days_left, 1))
    return current + (change or step)


def linear_priority(ticket: Ticket, now: datetime) -> int:
    """RT's LinearEscalate: from InitialPriority at Starts (else Created) to
    FinalPriority at Due, in a straight line. Tickets without Due keep theirs."""
    if ticket.due is None:
        return ticket.priority
    start = ticket.starts or ticket.created
    span = (ticket.due - start).total_seconds()
    if span <= 0 or now >= ticket.due:
        return ticket.final_priority
    if now <= start:
        return ticket.initial_priority
    fraction = (now - start).total_seconds() / span
    gap = ticket.final_priority - ticket.initial_priority
    return ticket.initial_priority + round(gap * fraction)


class CronAction:
    """An action applied to one ticket by a periodic job. `argument` as in RT."""

    name: ClassVar[str] = ""

    def run(self, ticket: Ticket, *, now: datetime, argument: str = "") -> bool:
        """Apply the change; True when the ticket changed."""
        raise NotImplementedError


class EscalatePriority(CronAction):
    name = "EscalatePriority"

    def target(self, ticket: Ticket, now: datetime) -> int:
        return escalated_priority(ticket, now)

    def run(self, ticket: Ticket, *, now: datetime, argument: str = "") -> bool:
        priority = self.target(ticket, now)
        if priority == ticket.priority:
            return False
        services.set_fields(ticket=ticket, actor=system_user(), priority=priority)
        return True


class LinearEscalate(EscalatePriority):
    name = "LinearEscalate"

    def target(self, ticket: Ticket, now: datetime) -> int:
        return linear_priority(ticket, now)


class SetPriority(CronAction):
    name = "SetPriority"

    def run(self, ticket: Ticket, *, now: datetime, argument: str = "") -> bool:
        try:
            priority = int(argument)
        except ValueError:
            raise ValidationFailed(
                f"SetPriority needs a number, not '{argument}'."
            ) from None
        if priority == ticket.priority:
            return False
        services.set_fields(ticket=ticket, actor=system_user(), priority=priority)
        return True


class SetStatus(CronAction):
    name = "SetStatus"

    def run(self, ticket: Ticket, *, now: datetime, argument: str = "") -> bool:
        status = argument.strip().lower()
        if not status or status == ticket.status:
            return False
        services.set_status(ticket=ticket, status=status, actor=system_user())
        return True


class RecordComment(CronAction):
    """Write a comment rendered from a template (argument: the template's name);
    the On Comment scrips then tell the staff."""

    name = "RecordComment"
    correspond = False

    def run(self, ticket: Ticket, *, now: datetime, argument: str = "") -> bool:
        from scrips.actions import find_template

        last = ticket.transactions.order_by("-id").first()
        if last is None:
            return False
        try:
            mail = render_template(
                find_template(argument or "Reminder", ticket).content,
                template_context(ticket=ticket, txn=last),
            )
        except TemplateError as exc:
            raise ValidationFailed(str(exc)) from exc
        if mail is None:
            return False
        service = services.correspond if self.correspond else services.comment
        service(
            ticket=ticket,
            actor=system_user(),
            subject=mail.subject,
            body=mail.body_text,
            data={"cron": self.name, "template": argument or "Reminder"},
        )
        return True


class RecordCorrespondence(RecordComment):
    name = "RecordCorrespondence"
    correspond = True


CRON_ACTIONS: dict[str, CronAction] = {
    cls.name: cls()
    for cls in (
        EscalatePriority,
        LinearEscalate,
        SetPriority,
        SetStatus,
        RecordComment,
        RecordCorrespondence,
    )
}


def _is_overdue(ticket: Ticket, now: datetime, argument: str) -> bool:
    return ticket.due is not None and ticket.due < now


def _before_due(ticket: Ticket, now: datetime, argument: str) -> bool:
    """Argument: hours before Due (default 24)."""
    hours = float(argument or 24)
    return ticket.due is not None and now <= ticket.due <= now + timedelta(hours=hours)


def _priority_exceeds(ticket: Ticket, now: datetime, argument: str) -> bool:
    return ticket.priority > int(argument or 0)


CRON_CONDITIONS = {
    "Overdue": _is_overdue,
    "BeforeDue": _before_due,
    "PriorityExceeds": _priority_exceeds,
}


def check_condition(ticket: Ticket, name: str, argument: str, now: datetime) -> bool:
    """A cron condition, or any scrip condition applied to the ticket's last transaction."""
    if not name:
        return True
    if name in CRON_CONDITIONS:
        return CRON_CONDITIONS[name](ticket, now, argument)
    last = ticket.transactions.order_by("-id").first()
    return last is not None and get_condition(name).is_applicable(
        last, ticket, argument
    )


@dataclass
class CronResult:
    matched: list[int]
    changed: list[int]


def active_tickets(*, queue: str | None = None) -> QuerySet[Ticket]:
    """RT's ActiveTicketsInQueue (or in every queue)."""
    sql = "Status = '__Active__'"
    if queue:
        sql += " AND Queue = '" + queue.replace("'", "\\'") + "'"
    return search(system_user(), sql)


def run_cron(
    tickets: Iterable[Ticket],
    *,
    action: str,
    action_argument: str = "",
    condition: str = "",
    condition_argument: str = "",
    now: datetime,
    dry_run: bool = False,
) -> CronResult:
    """For each ticket: check the condition, then apply the action (unless dry_run)."""
    try:
        cron_action = CRON_ACTIONS[action]
    except KeyError:
        known = ", ".join(sorted(CRON_ACTIONS))
        raise ValidationFailed(
            f"Unknown action '{action}' (use one of {known})."
        ) from None
    result = CronResult(matched=[], changed=[])
    for ticket in tickets:
        ticket = Ticket.objects.select_related("queue__lifecycle", "owner").get(
            pk=ticket.pk
        )
        if not check_condition(ticket, condition, condition_argument, now):
            continue
        result.matched.append(ticket.pk)
        if not dry_run and cron_action.run(ticket, now=now, argument=action_argument):
            result.changed.append(ticket.pk)
    return result


def escalate_priorities(*, now: datetime, linear: bool = True) -> CronResult:
    """Beat job: move the priority of active tickets toward their final priority."""
    tickets = active_tickets().exclude(priority=0, final_priority=0)
    return run_cron(
        tickets, action="LinearEscalate" if linear else "EscalatePriority", now=now
    )


def escalate_overdue(*, now: datetime) -> CronResult:
    """Beat job: active tickets past Due jump to their final priority."""
    tickets = [
        t for t in active_tickets().filter(due__lt=now) if t.priority < t.final_priority
    ]
    result = CronResult(matched=[], changed=[])
    for ticket in tickets:
        result.matched.append(ticket.pk)
        services.set_fields(
            ticket=ticket, actor=system_user(), priority=ticket.final_priority
        )
        result.changed.append(ticket.pk)
    return result


def remind_untaken(*, now: datetime, hours: float = 24) -> CronResult:
    """Beat job: a comment (once per ticket) on tickets still unowned and in an initial
    status after `hours`; the On Comment scrip notifies the queue's AdminCcs."""
    candidates = Ticket.objects.filter(
        owner__username="Nobody",
        owner__is_system=True,
        merged_into__isnull=True,
        created__lt=now - timedelta(hours=hours),
    ).select_related("queue__lifecycle")
    reminded = set(
        Ticket.objects.filter(
            transactions__type=TransactionType.COMMENT,
            transactions__data__cron="RecordComment",
            transactions__data__template="Untaken Ticket",
        ).values_list("pk", flat=True)
    )
    fresh = [
        t
        for t in candidates
        if t.pk not in reminded
        and lifecycles.get_lifecycle(t.queue.lifecycle.name).is_initial(t.status)
    ]
    return run_cron(
        fresh, action="RecordComment", action_argument="Untaken Ticket", now=now
    )


def _write_mail(
    *,
    key: str,
    template_name: str,
    context: dict,
    ticket: Ticket | None,
    to: list[str],
) -> Notification | None:
    """One outbox row per `key` (a second run of the same job writes nothing)."""
    from scrips.actions import find_template
    from scrips.outbox import build_periodic_notification

    if not to or Notification.objects.filter(dedupe_key=key).exists():
        return None
    template = (
        find_template(template_name, ticket)
        if ticket is not None
        else Template.objects.filter(queue__isnull=True, name=template_name).first()
    )
    if template is None:
        raise ValidationFailed(f"There is no template called '{template_name}'.")
    try:
        mail = render_template(template.content, context)
    except TemplateError as exc:
        raise ValidationFailed(str(exc)) from exc
    if mail is None:
        return None
    try:
        with transaction.atomic():
            return build_periodic_notification(
                mail=mail, ticket=ticket, to=to, dedupe_key=key
            )
    except IntegrityError:  # the same job running twice at once
        return None


def send_reminders(*, now: datetime) -> list[int]:
    """Reminders (tickets of type reminder, linked RefersTo their ticket) that are due
    and still open: mail their owner once per due date. Returns the outbox ids."""
    from scrips.rendering import template_context

    written = []
    reminders = Ticket.objects.filter(
        type=TicketType.REMINDER, due__lte=now, merged_into__isnull=True
    ).select_related("queue__lifecycle", "owner")
    for reminder in reminders:
        lifecycle = lifecycles.get_lifecycle(reminder.queue.lifecycle.name)
        owner = reminder.owner
        if lifecycle.is_inactive(reminder.status) or owner.is_nobody:
            continue
        if not owner.is_active or not owner.email:
            continue
        link = (
            Link.objects.filter(
                base=reminder, type=LinkType.REFERS_TO, target__isnull=False
            )
            .select_related("target__queue", "target__owner")
            .first()
        )
        subject_ticket = link.target if link else reminder
        last = subject_ticket.transactions.order_by("-id").first()
        if last is None:
            continue
        context = template_context(ticket=subject_ticket, txn=last)
        context["reminder"] = {
            "id": reminder.pk,
            "subject": reminder.subject,
            "due": reminder.due,
            "owner": owner.display_name,
        }
        row = _write_mail(
            key=f"reminder:{reminder.pk}:{reminder.due.isoformat()}",
            template_name="Reminder",
            context=context,
            ticket=subject_ticket,
            to=[owner.email],
        )
        if row is not None:
            written.append(row.pk)
    return written


def add_reminder(
    *, ticket: Ticket, subject: str, owner: User, due: datetime, actor: User
) -> Ticket:
    """A dated note on `ticket` for `owner`: a reminder ticket linked RefersTo it."""
    with transaction.atomic():
        reminder = services.create_ticket(
            queue=ticket.queue,
            actor=actor,
            subject=subject,
            owner=owner,
            due=due,
            ticket_type=TicketType.REMINDER,
        )
        services.add_link(ticket=reminder, kind="RefersTo", other=ticket, actor=actor)
    return reminder


def send_digests(*, now: datetime) -> list[int]:
    """One mail a day to each active staff member owning active tickets, listing them
    (most urgent first). Returns the outbox ids."""
    rtname = getattr(settings, "TRACKER_RTNAME", "tracker")
    web = getattr(settings, "WEB_BASE_URL", "").rstrip("/")
    tickets = active_tickets().filter(
        type=TicketType.TICKET,
        owner__is_active=True,
        owner__is_privileged=True,
        owner__is_system=False,
    )
    by_owner: dict[int, list[Ticket]] = {}
    for ticket in tickets.select_related("owner", "queue").order_by(
        "-priority", "due", "pk"
    ):
        by_owner.setdefault(ticket.owner_id, []).append(ticket)
    written = []
    day = now.date().isoformat()
    for tickets_of_owner in by_owner.values():
        owner = tickets_of_owner[0].owner
        context = {
            "rtname": rtname,
            "web_url": web,
            "date": now,
            "recipient": {"name": owner.display_name, "email": owner.email},
            "tickets": [
                {
                    "id": t.pk,
                    "subject": t.subject,
                    "status": t.status,
                    "priority": t.priority,
                    "queue": t.queue.name,
                    "due": t.due,
                    "is_overdue": t.due is not None and t.due < now,
                    "url": f"{web}{t.get_absolute_url()}",
                }
                for t in tickets_of_owner
            ],
        }
        row = _write_mail(
            key=f"digest:{owner.pk}:{day}",
            template_name="Daily Digest",
            context=context,
            ticket=None,
            to=[owner.email] if owner.email else [],
        )
        if row is not None:
            written.append(row.pk)
    return written


def auto_close(
    *,
    now: datetime,
    days: float,
    statuses: Iterable[str] = ("stalled",),
    status: str = "resolved",
    template: str = "Auto Close",
) -> CronResult:
    """Tickets waiting on the customer (in `statuses`) untouched for `days`: tell the
    requestors (correspondence from `template`, unless it is empty), then close."""
    wanted = [s.lower() for s in statuses]
    stale = (
        Ticket.objects.filter(
            type=TicketType.TICKET,
            status__in=wanted,
            merged_into__isnull=True,
            last_updated__lt=now - timedelta(days=days),
        )
        .select_related("queue__lifecycle", "owner")
        .order_by("pk")
    )
    result = CronResult(matched=[], changed=[])
    for ticket in stale:
        result.matched.append(ticket.pk)
        with transaction.atomic():
            if template:
                RecordCorrespondence().run(ticket, now=now, argument=template)
            services.set_status(ticket=ticket, status=status, actor=system_user())
        result.changed.append(ticket.pk)
    return result
