"""The short notice a sender gets when a message is refused for lack of rights or a
command in it fails: once, after commit, never to robots, rate-limited."""

import pytest
from django.core import mail

from mailgate.models import InboundEmail, InboundStatus
from mailgate.services import ingest
from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_staff
from tests.mailgate.mailbuilders import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_gateway_mail(settings):
    # The scrips' own notifications are tested elsewhere; only notices here.
    settings.SCRIPS_RUN_ON_COMMIT = False
    settings.MAILGATE_NOTICES_PER_HOUR = 3


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def run(raw, queue="General"):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(raw=raw, queue=queue)

    return run


def closed_queue():
    return make_queue("Closed", correspond_address="closed@tracker.example")


def test_refused_sender_gets_one_notice_and_the_message_is_kept(deliver):
    closed_queue()
    result = deliver(make_mail(), queue="Closed")
    assert result.status == InboundStatus.REJECTED
    (notice,) = mail.outbox
    assert notice.to == ["alice@customer.example"]
    assert notice.from_email == "closed@tracker.example"
    assert "kept" in notice.body
    assert "CreateTicket" in notice.body
    assert notice.extra_headers["Auto-Submitted"] == "auto-replied"
    assert notice.extra_headers["In-Reply-To"] == "<m1@customer.example>"
    assert InboundEmail.objects.get(pk=result.inbound_id).notice_sent_at is not None


def test_refused_auto_reply_gets_no_notice(deliver):
    closed_queue()
    raw = make_mail(subject="Out of office", extra="Auto-Submitted: auto-replied")
    assert deliver(raw, queue="Closed").status == InboundStatus.REJECTED
    assert mail.outbox == []


def test_notices_to_one_sender_are_rate_limited(deliver):
    closed_queue()
    for n in range(5):
        deliver(make_mail(message_id=f"<n{n}@c>"), queue="Closed")
    assert InboundEmail.objects.filter(status=InboundStatus.REJECTED).count() == 5
    assert len(mail.outbox) == 3


def test_failed_mail_command_is_reported_to_the_sender(deliver):
    ticket_id = deliver(make_mail()).ticket_id
    body = "Status: resolved\n\nPlease close.\n"
    reply = make_mail(
        subject=f"Re: [tracker #{ticket_id}] x", message_id="<c@c>", body=body
    )
    result = deliver(reply)
    assert result.status == InboundStatus.PROCESSED
    (notice,) = mail.outbox
    assert notice.to == ["alice@customer.example"]
    assert f"ticket #{ticket_id}" in notice.body
    assert "command Status failed" in notice.body


def test_successful_commands_send_no_notice(deliver):
    staff = make_staff(email="agent@tracker.example", username="agent")
    grant_many(STAFF_RIGHTS, user=staff)
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(
        sender="agent@tracker.example",
        subject=f"Re: [tracker #{ticket_id}] x",
        message_id="<c@c>",
        body="Status: open\n\nOn it.\n",
    )
    assert deliver(reply).reason == ""
    assert mail.outbox == []
