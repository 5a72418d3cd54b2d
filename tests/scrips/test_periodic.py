"""Periodic jobs and the crontool command, with a frozen clock (`now` passed in)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from scrips import periodic
from tests.factories import make_ticket
from tracker import services
from tracker.models import TransactionType
from tracker.principals import system_user


def _ticket(queue, *, status="open", **kwargs):
    ticket = make_ticket(queue=queue, **kwargs)
    if status != ticket.status:
        services.set_status(ticket=ticket, status=status, actor=system_user())
    ticket.refresh_from_db()
    return ticket


def test_escalate_priority_steps_by_one_without_due(queue):
    ticket = _ticket(queue, priority=10, final_priority=50)
    assert periodic.escalated_priority(ticket, ticket.created) == 11


def test_escalate_priority_closes_the_gap_by_days_left(queue):
    ticket = _ticket(queue, priority=10, final_priority=50)
    ticket.due = ticket.created + timedelta(days=4)
    assert periodic.escalated_priority(ticket, ticket.created) == 20


def test_escalate_priority_jumps_to_final_once_due_has_passed(queue):
    ticket = _ticket(queue, priority=10, final_priority=50)
    ticket.due = ticket.created + timedelta(days=1)
    later = ticket.created + timedelta(days=2)
    assert periodic.escalated_priority(ticket, later) == 50


def test_linear_escalate_is_halfway_at_half_time(queue):
    ticket = _ticket(queue, priority=0, initial_priority=0, final_priority=100)
    ticket.due = ticket.created + timedelta(days=10)
    half = ticket.created + timedelta(days=5)
    assert periodic.linear_priority(ticket, half) == 50


def test_linear_escalate_leaves_tickets_without_due(queue):
    ticket = _ticket(queue, priority=7, final_priority=100)
    assert periodic.linear_priority(ticket, ticket.created + timedelta(days=9)) == 7


def test_escalation_job_records_a_priority_change_by_the_system(queue):
    ticket = _ticket(queue, initial_priority=0, final_priority=100)
    services.set_fields(
        ticket=ticket, actor=system_user(), due=ticket.created + timedelta(days=10)
    )
    result = periodic.escalate_priorities(now=ticket.created + timedelta(days=5))
    ticket.refresh_from_db()
    assert result.changed == [ticket.pk]
    assert ticket.priority == 50
    change = ticket.transactions.filter(field="Priority").get()
    assert change.creator == system_user()


def test_overdue_tickets_jump_to_final_priority(queue):
    overdue = _ticket(queue, final_priority=90)
    on_time = _ticket(queue, final_priority=90)
    services.set_fields(
        ticket=overdue, actor=system_user(), due=overdue.created + timedelta(hours=1)
    )
    services.set_fields(
        ticket=on_time, actor=system_user(), due=on_time.created + timedelta(days=9)
    )
    periodic.escalate_overdue(now=overdue.created + timedelta(days=1))
    overdue.refresh_from_db()
    on_time.refresh_from_db()
    assert (overdue.priority, on_time.priority) == (90, 0)


def test_untaken_ticket_reminder_notifies_queue_admin_ccs_once(
    queue, admin_cc, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(queue, status="new", subject="Nobody's baby")
    mail.outbox.clear()
    later = ticket.created + timedelta(hours=30)
    with django_capture_on_commit_callbacks(execute=True):
        first = periodic.remind_untaken(now=later, hours=24)
        second = periodic.remind_untaken(now=later, hours=24)
    assert first.changed == [ticket.pk]
    assert second.changed == []
    [message] = mail.outbox
    assert message.bcc == ["boss@tracker-staff.example"]
    assert "Still unowned" in message.subject


def test_untaken_ticket_reminder_waits_for_the_delay(queue):
    ticket = _ticket(queue, status="new")
    result = periodic.remind_untaken(now=ticket.created + timedelta(hours=2), hours=24)
    assert result.matched == []


def test_crontool_sets_priority_on_searched_tickets(queue):
    ticket = _ticket(queue)
    out = StringIO()
    call_command(
        "crontool",
        "--search",
        f"id = {ticket.pk}",
        "--action",
        "SetPriority",
        "--action-arg",
        "42",
        stdout=out,
    )
    ticket.refresh_from_db()
    assert ticket.priority == 42
    assert "1 ticket(s) matched, 1 changed." in out.getvalue()


def test_crontool_dry_run_changes_nothing(queue):
    ticket = _ticket(queue)
    out = StringIO()
    call_command(
        "crontool",
        "--queue",
        queue.name,
        "--action",
        "SetStatus",
        "--action-arg",
        "resolved",
        "--dry-run",
        stdout=out,
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert f"#{ticket.pk} would change" in out.getvalue()


def test_crontool_condition_filters_tickets(queue):
    late = _ticket(queue)
    services.set_fields(
        ticket=late, actor=system_user(), due=late.created - timedelta(hours=1)
    )
    _ticket(queue)
    out = StringIO()
    call_command(
        "crontool",
        "--queue",
        queue.name,
        "--condition",
        "Overdue",
        "--action",
        "SetPriority",
        "--action-arg",
        "99",
        stdout=out,
    )
    assert "1 ticket(s) matched, 1 changed." in out.getvalue()


def test_crontool_record_comment_uses_a_template(queue):
    ticket = _ticket(queue)
    call_command(
        "crontool",
        "--search",
        f"id = {ticket.pk}",
        "--action",
        "RecordComment",
        "--action-arg",
        "Reminder",
        stdout=StringIO(),
    )
    note = ticket.transactions.filter(type=TransactionType.COMMENT).get()
    assert note.data["subject"].startswith("Reminder:")


def test_crontool_rejects_a_bad_search(queue):
    with pytest.raises(CommandError):
        call_command("crontool", "--search", "Nonsense ===", "--action", "SetPriority")
