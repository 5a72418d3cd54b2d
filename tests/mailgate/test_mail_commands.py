"""Commands by mail: reading them (pure) and applying them with the sender's rights."""

import pytest

from mailgate.mail_commands import MailCommand, read_commands
from mailgate.models import InboundStatus
from mailgate.services import ingest
from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_staff
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Role, Ticket


def test_commands_at_the_top_are_read_until_the_first_other_line():
    body = "\n\nStatus: resolved\nowner: bob\nAddCc: c@example.org\n\nFixed it.\n"
    assert read_commands(body) == [
        MailCommand("Status", "resolved"),
        MailCommand("Owner", "bob"),
        MailCommand("AddCc", "c@example.org"),
    ]


def test_custom_field_command_keeps_the_field_name():
    assert read_commands("CF.{Incident Type}: phishing\n") == [
        MailCommand("CF", "phishing", "Incident Type")
    ]


def test_ordinary_text_is_not_a_command():
    assert read_commands("Note: the printer is on fire\nStatus: resolved\n") == []
    assert read_commands("Hello,\nStatus: resolved\n") == []


def test_commands_stop_at_an_unknown_word():
    assert read_commands("Status: open\nFrom: someone\nPriority: 5\n") == [
        MailCommand("Status", "open")
    ]


@pytest.fixture
def agent():
    staff = make_staff(email="agent@tracker.example", username="agent")
    grant_many(STAFF_RIGHTS, user=staff)
    return staff


def reply_from(sender, ticket_id, body, n=1):
    return make_mail(
        sender=sender,
        subject=f"Re: [tracker #{ticket_id}] x",
        message_id=f"<cmd{n}@t>",
        body=body,
    )


@pytest.mark.django_db
def test_staff_reply_with_commands_changes_the_ticket(agent):
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    body = (
        "Status: open\nOwner: agent\nPriority: 50\nTimeWorked: 15\n"
        "Due: 2026-12-01\nAddCc: bob@example.com\n\nLooking into it.\n"
    )
    result = ingest(
        raw=reply_from("agent@tracker.example", ticket_id, body), queue="General"
    )
    assert result.status == InboundStatus.PROCESSED
    assert result.reason == ""
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.status == "open"
    assert ticket.owner == agent
    assert ticket.priority == 50
    assert ticket.time_worked == 15
    assert ticket.due.date().isoformat() == "2026-12-01"
    assert ticket.watchers.filter(role=Role.CC, user__email="bob@example.com").exists()


@pytest.mark.django_db
def test_queue_command_moves_the_ticket(agent):
    security = make_queue("Security")
    grant_many(STAFF_RIGHTS, user=agent, queue=security)
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    body = "Queue: security\n\nMoving.\n"
    ingest(raw=reply_from("agent@tracker.example", ticket_id, body), queue="General")
    assert Ticket.objects.get(pk=ticket_id).queue == security


@pytest.mark.django_db
def test_customer_commands_fail_for_lack_of_rights_but_message_is_kept():
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    body = "Status: resolved\nOwner: Nobody\n\nPlease close.\n"
    result = ingest(
        raw=reply_from("alice@customer.example", ticket_id, body), queue="General"
    )
    assert result.status == InboundStatus.PROCESSED
    assert "command Status failed" in result.reason
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.status == "new"
    assert ticket.transactions.filter(type="Correspond").exists()


@pytest.mark.django_db
def test_one_failing_command_does_not_stop_the_others(agent):
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    body = "Status: nonsense\nPriority: 7\n\nx\n"
    result = ingest(
        raw=reply_from("agent@tracker.example", ticket_id, body), queue="General"
    )
    assert "command Status failed" in result.reason
    assert Ticket.objects.get(pk=ticket_id).priority == 7


@pytest.mark.django_db
def test_commands_in_auto_generated_mail_are_ignored(agent):
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    raw = make_mail(
        sender="agent@tracker.example",
        subject=f"Re: [tracker #{ticket_id}] x",
        message_id="<auto@t>",
        body="Status: resolved\n\nI am away.\n",
        extra="Auto-Submitted: auto-replied",
    )
    ingest(raw=raw, queue="General")
    assert Ticket.objects.get(pk=ticket_id).status == "new"


@pytest.mark.django_db
def test_commands_can_be_switched_off(agent, settings):
    settings.MAILGATE_COMMANDS_BY_MAIL = False
    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    body = "Status: open\n\nx\n"
    ingest(raw=reply_from("agent@tracker.example", ticket_id, body), queue="General")
    assert Ticket.objects.get(pk=ticket_id).status == "new"
