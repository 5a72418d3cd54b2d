"""Digests, reminders, auto-close and the admin-edited beat schedule, with a frozen
clock (`now` passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from scrips import periodic
from scrips.beat import DatabaseScheduler, job_schedule, load_entries
from scrips.models import Notification, PeriodicJob
from scrips.outbox import send_notification
from tests.factories import make_admin, make_ticket
from tracker import services
from tracker.celery import app as celery_app
from tracker.models import Ticket, TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")


def _send_all():
    for pk in Notification.objects.filter(status="pending").values_list(
        "pk", flat=True
    ):
        send_notification(pk)


def test_daily_digest_lists_each_owners_open_tickets_most_urgent_first(queue, staff):
    low = make_ticket(queue=queue, owner=staff, subject="Printer", priority=1)
    high = make_ticket(queue=queue, owner=staff, subject="Outage", priority=90)
    make_ticket(queue=queue, subject="Unowned")
    [row_id] = periodic.send_digests(now=datetime(2026, 11, 24, 7, tzinfo=UTC))
    _send_all()
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "Your open tickets (2) on 2026-11-24"
    assert message.body.index(f"#{high.pk}") < message.body.index(f"#{low.pk}")
    assert "Unowned" not in message.body
    assert Notification.objects.get(pk=row_id).ticket is None


def test_daily_digest_is_written_once_a_day(queue, staff):
    make_ticket(queue=queue, owner=staff)
    morning = datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert len(periodic.send_digests(now=morning)) == 1
    assert periodic.send_digests(now=morning + timedelta(hours=3)) == []
    assert len(periodic.send_digests(now=morning + timedelta(days=1))) == 1


def test_daily_digest_skips_resolved_tickets(queue, staff):
    ticket = make_ticket(queue=queue, owner=staff)
    services.set_status(ticket=ticket, status="resolved", actor=system_user())
    assert periodic.send_digests(now=datetime(2026, 11, 24, 7, tzinfo=UTC)) == []


@pytest.fixture
def reminder(queue, staff):
    ticket = make_ticket(queue=queue, subject="Renew certificate")
    due = ticket.created + timedelta(days=3)
    return periodic.add_reminder(
        ticket=ticket, subject="Call the CA", owner=staff, due=due, actor=system_user()
    )


def test_reminder_is_a_dated_note_linked_to_its_ticket(reminder, staff):
    assert reminder.type == "reminder"
    assert reminder.owner == staff
    assert reminder.links_out.get().type == "RefersTo"


def test_reminder_notifies_its_owner_when_due(reminder, staff):
    assert periodic.send_reminders(now=reminder.due - timedelta(minutes=1)) == []
    [_row] = periodic.send_reminders(now=reminder.due + timedelta(minutes=1))
    _send_all()
    [message] = mail.outbox
    ticket = reminder.links_out.get().target
    assert message.to == [staff.email]
    assert message.subject == f"[tracker #{ticket.pk}] Reminder: Renew certificate"
    assert "Call the CA" in message.body


def test_reminder_notifies_once(reminder):
    later = reminder.due + timedelta(minutes=1)
    assert len(periodic.send_reminders(now=later)) == 1
    assert periodic.send_reminders(now=later + timedelta(hours=1)) == []


def test_resolved_reminder_notifies_nobody(reminder):
    services.set_status(ticket=reminder, status="resolved", actor=system_user())
    assert periodic.send_reminders(now=reminder.due + timedelta(days=1)) == []


def test_reminders_run_no_scrips(queue, staff, django_capture_on_commit_callbacks):
    from tests.scrips.conftest import make_scrip

    make_scrip("On Create", "Notify Owner", "Transaction")
    ticket = make_ticket(queue=queue)
    with django_capture_on_commit_callbacks(execute=True):
        periodic.add_reminder(
            ticket=ticket,
            subject="x",
            owner=staff,
            due=ticket.created + timedelta(days=1),
            actor=system_user(),
        )
    assert mail.outbox == []


def _stalled(queue, customer):
    ticket = make_ticket(queue=queue, requestors=[customer])
    services.set_status(ticket=ticket, status="stalled", actor=system_user())
    return Ticket.objects.get(pk=ticket.pk)


def test_auto_close_resolves_tickets_waiting_on_the_customer_too_long(queue, customer):
    ticket = _stalled(queue, customer)
    result = periodic.auto_close(now=ticket.last_updated + timedelta(days=15), days=14)
    ticket.refresh_from_db()
    assert result.changed == [ticket.pk]
    assert ticket.status == "resolved"
    told = ticket.transactions.filter(type=TransactionType.CORRESPOND).get()
    assert told.data["subject"].startswith("Closed for lack of an answer")


def test_auto_close_waits_the_configured_days(queue, customer):
    ticket = _stalled(queue, customer)
    result = periodic.auto_close(now=ticket.last_updated + timedelta(days=13), days=14)
    assert result.matched == []


def test_auto_close_leaves_open_tickets(queue, customer):
    ticket = make_ticket(queue=queue, requestors=[customer])
    services.set_status(ticket=ticket, status="open", actor=system_user())
    ticket.refresh_from_db()
    result = periodic.auto_close(now=ticket.last_updated + timedelta(days=30), days=14)
    assert result.matched == []


def test_stock_periodic_jobs_are_scheduled(db):
    names = set(load_entries(celery_app))
    assert {
        "Outbox sweep",
        "Priority escalation (LinearEscalate)",
        "Reminder of untaken tickets",
        "Due reminders",
        "Daily digest",
    } <= names
    assert "Auto-close tickets waiting on the customer" not in names  # opt-in


def test_every_stock_job_names_a_registered_task(db):
    celery_app.loader.import_default_modules()
    for job in PeriodicJob.objects.all():
        assert job.task in celery_app.tasks, job.task


def test_interval_job_is_due_once_its_interval_has_passed(db):
    job = PeriodicJob.objects.get(name="Due reminders")
    last = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    frozen = last + timedelta(minutes=4)
    assert not job_schedule(job, nowfun=lambda: frozen).is_due(last).is_due
    frozen = last + timedelta(minutes=5, seconds=1)
    assert job_schedule(job, nowfun=lambda: frozen).is_due(last).is_due


def test_crontab_job_runs_at_its_hour_on_workdays(db):
    job = PeriodicJob.objects.get(name="Daily digest")
    friday_7 = datetime(2026, 11, 27, 7, 0, 30, tzinfo=UTC)
    saturday_7 = datetime(2026, 11, 28, 7, 0, 30, tzinfo=UTC)
    schedule_ = job_schedule(job, nowfun=lambda: friday_7)
    assert schedule_.is_due(friday_7 - timedelta(days=1)).is_due
    schedule_ = job_schedule(job, nowfun=lambda: saturday_7)
    assert not schedule_.is_due(friday_7).is_due


def test_admin_edit_of_a_schedule_reaches_beat(db, client):
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    job = PeriodicJob.objects.get(name="Due reminders")
    response = client.post(
        reverse("admin:scrips_periodicjob_change", args=[job.pk]),
        {
            "name": job.name,
            "task": job.task,
            "every_minutes": "15",
            "crontab_minute": "0",
            "crontab_hour": "*",
            "crontab_day_of_week": "*",
            "kwargs": "{}",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule["Due reminders"]
    assert entry.schedule.run_every == timedelta(minutes=15)


def test_admin_refuses_an_unknown_task(db, client):
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("admin:scrips_periodicjob_add"),
        {
            "name": "Bogus",
            "task": "os.system",
            "every_minutes": "1",
            "crontab_minute": "0",
            "crontab_hour": "*",
            "crontab_day_of_week": "*",
            "kwargs": "{}",
        },
    )
    assert response.status_code == 200
    assert "There is no task called" in response.content.decode()
    assert not PeriodicJob.objects.filter(name="Bogus").exists()


def test_disabled_job_leaves_the_beat_schedule(db):
    PeriodicJob.objects.filter(name="Daily digest").update(is_enabled=False)
    assert "Daily digest" not in load_entries(celery_app)


def test_beat_writes_back_the_last_run(db):
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule["Outbox sweep"]
    scheduler.schedule["Outbox sweep"] = next(entry)
    scheduler.sync()
    assert PeriodicJob.objects.get(name="Outbox sweep").last_run_at is not None


def test_crontool_template_option_records_a_comment(queue):
    ticket = make_ticket(queue=queue, subject="Old")
    call_command(
        "crontool",
        "--search",
        f"Owner = 'Nobody' AND id = {ticket.pk}",
        "--action",
        "RecordComment",
        "--template",
        "Untaken Ticket",
        stdout=StringIO(),
    )
    note = ticket.transactions.filter(type=TransactionType.COMMENT).get()
    assert note.data["template"] == "Untaken Ticket"


def test_beat_also_runs_the_entries_other_apps_configure(db):
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule["mailgate-poll-mailboxes"]
    assert entry.task == "mailgate.tasks.poll_mailboxes_task"
    assert "Outbox sweep" in scheduler.schedule
