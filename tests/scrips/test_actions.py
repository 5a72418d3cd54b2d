"""Each registered action."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from scrips.actions import ACTIONS
from scrips.models import ScripRun
from tests.factories import STAFF_RIGHTS, grant_many, make_staff, make_ticket
from tests.scrips.conftest import make_scrip
from tracker import services
from tracker.models import Ticket, TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")


@pytest.fixture
def agent(queue):
    user = make_staff(email="eve@tracker-staff.example")
    grant_many(STAFF_RIGHTS, user=user, queue=queue)
    return user


def _ticket(queue, **kwargs):
    kwargs.setdefault("requestors", ["carol@customer.example"])
    return make_ticket(queue=queue, **kwargs)


def test_open_inactive_tickets_reopens_a_resolved_ticket_on_reply(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Open Inactive Tickets", "Blank")
    ticket = _ticket(queue, requestors=[customer])
    services.set_status(ticket=ticket, status="resolved", actor=system_user())
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(ticket=ticket, actor=customer, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    reopen = ticket.transactions.filter(type=TransactionType.STATUS).last()
    assert reopen.creator == system_user()


def test_open_inactive_tickets_leaves_a_reply_and_resolve_resolved(
    queue, agent, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Open Inactive Tickets", "Blank")
    ticket = _ticket(queue)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.correspond(ticket=ticket, actor=agent, body="Fixed, closing.")
        services.set_status(ticket=ticket, status="resolved", actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_open_inactive_tickets_leaves_active_tickets_alone(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Open Inactive Tickets", "Blank")
    ticket = _ticket(queue, requestors=[customer])
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(ticket=ticket, actor=customer, body="Hello")
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_open_tickets_opens_a_new_ticket(queue, django_capture_on_commit_callbacks):
    make_scrip("On Create", "Open Tickets", "Blank")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(queue)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_set_priority_sets_the_argument(queue, django_capture_on_commit_callbacks):
    make_scrip("On Create", "Set Priority", "Blank", action_argument="80")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(queue)
    ticket.refresh_from_db()
    assert ticket.priority == 80


def test_set_priority_with_a_bad_argument_fails_the_scrip_only(
    queue, django_capture_on_commit_callbacks
):
    scrip = make_scrip("On Create", "Set Priority", "Blank", action_argument="high")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(queue)
    ticket.refresh_from_db()
    assert ticket.priority == 0
    assert ScripRun.objects.get(scrip=scrip).status == "failed"


def test_set_status_sets_the_argument(queue, django_capture_on_commit_callbacks):
    make_scrip("On Priority Change", "Set Status", "Blank", action_argument="stalled")
    ticket = _ticket(queue)
    services.set_status(ticket=ticket, status="open", actor=system_user())
    with django_capture_on_commit_callbacks(execute=True):
        services.set_fields(ticket=ticket, actor=system_user(), priority=3)
    ticket.refresh_from_db()
    assert ticket.status == "stalled"


def test_notify_other_recipients_uses_one_time_cc_and_bcc(
    queue, agent, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Other Recipients")
    ticket = _ticket(queue)
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(
            ticket=ticket,
            actor=agent,
            body="FYI",
            data={"cc": ["vendor@partner.example"], "bcc": ["legal@partner.example"]},
        )
    [message] = mail.outbox
    assert message.to == []
    assert message.cc == ["vendor@partner.example"]
    assert message.bcc == ["legal@partner.example"]


def test_notify_other_recipients_drops_invalid_addresses(
    queue, agent, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Other Recipients")
    ticket = _ticket(queue)
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(
            ticket=ticket,
            actor=agent,
            body="FYI",
            data={
                "cc": ["not an address", "x@y.example\r\nBcc: evil@attacker.example"]
            },
        )
    assert [m.recipients() for m in mail.outbox] in ([], [["x@y.example"]])
    assert all("evil@attacker.example" not in m.recipients() for m in mail.outbox)


def test_notify_owner_or_admin_ccs_picks_the_owner_when_set(
    queue, agent, admin_cc, django_capture_on_commit_callbacks
):
    make_scrip("On Comment", "Notify Owner or AdminCcs")
    ticket = _ticket(queue, owner=admin_cc)
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.set_owner(ticket=ticket, owner=agent, actor=system_user())
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(ticket=ticket, actor=system_user(), body="note")
    assert [m.to for m in mail.outbox] == [["eve@tracker-staff.example"]]


def test_notify_owner_or_admin_ccs_falls_back_to_admin_ccs(
    queue, admin_cc, django_capture_on_commit_callbacks
):
    make_scrip("On Comment", "Notify Owner or AdminCcs")
    ticket = _ticket(queue)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(ticket=ticket, actor=system_user(), body="note")
    assert [m.bcc for m in mail.outbox] == [["boss@tracker-staff.example"]]


def test_as_comment_sent_mail_is_recorded_as_comment_email_record(
    queue, admin_cc, django_capture_on_commit_callbacks
):
    make_scrip("On Comment", "Notify AdminCcs as Comment", "Admin Comment")
    ticket = _ticket(queue)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(ticket=ticket, actor=system_user(), body="internal")
    assert ticket.transactions.filter(
        type=TransactionType.COMMENT_EMAIL_RECORD
    ).exists()
    assert "This is a comment" in mail.outbox[0].body


def test_every_issue_action_is_registered():
    expected = {
        "Autoreply To Requestors",
        "Notify Requestors",
        "Notify Requestors and Ccs",
        "Notify Owner",
        "Notify Ccs",
        "Notify AdminCcs",
        "Notify Owner or AdminCcs",
        "Notify Other Recipients",
        "Notify Requestors and Ccs as Comment",
        "Notify Other Recipients as Comment",
        "Open Inactive Tickets",
        "Set Priority",
        "Set Status",
    }
    assert expected <= set(ACTIONS)
