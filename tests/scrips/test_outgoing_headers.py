"""Headers of outgoing notifications: tags, threading, loop protection, no injection."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.core import mail

from tests.factories import STAFF_RIGHTS, grant_many, make_staff, make_ticket
from tests.scrips.conftest import make_scrip, make_template
from tracker import services
from tracker.mail import ticket_id_from_message_id

pytestmark = pytest.mark.usefixtures("no_default_scrips")


def _reply(queue, capture, *, actor=None, comment=False, **kwargs):
    ticket = make_ticket(
        queue=queue, subject="Disk full", requestors=["carol@customer.example"]
    )
    actor = actor or make_staff(email="eve@tracker-staff.example")
    grant_many(STAFF_RIGHTS, user=actor, queue=queue)
    service = services.comment if comment else services.correspond
    with capture(execute=True):
        service(ticket=ticket, actor=actor, body="Done.", **kwargs)
    assert len(mail.outbox) == 1
    return ticket, mail.outbox[0]


def test_subject_carries_rtname_tag(queue, django_capture_on_commit_callbacks):
    make_scrip("On Correspond", "Notify Requestors")
    ticket, message = _reply(queue, django_capture_on_commit_callbacks)
    assert message.subject == f"[tracker #{ticket.pk}] Disk full"


def test_subject_carries_queue_tag_when_set(queue, django_capture_on_commit_callbacks):
    queue.subject_tag = "CSIRT"
    queue.save()
    make_scrip("On Correspond", "Notify Requestors")
    ticket, message = _reply(queue, django_capture_on_commit_callbacks)
    assert message.subject == f"[CSIRT #{ticket.pk}] Disk full"


def test_message_id_names_the_ticket(queue, django_capture_on_commit_callbacks):
    make_scrip("On Correspond", "Notify Requestors")
    ticket, message = _reply(queue, django_capture_on_commit_callbacks)
    message_id = message.message()["Message-ID"]
    assert ticket_id_from_message_id(message_id, "tracker.example") == ticket.pk


def test_reply_to_is_the_queue_correspond_address(
    queue, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors")
    _, message = _reply(queue, django_capture_on_commit_callbacks)
    assert message.reply_to == ["support@tracker.example"]
    assert message.from_email.endswith("<support@tracker.example>")


def test_as_comment_uses_the_comment_address(queue, django_capture_on_commit_callbacks):
    make_scrip("On Comment", "Notify Requestors as Comment")
    _, message = _reply(queue, django_capture_on_commit_callbacks, comment=True)
    assert message.reply_to == ["support-comment@tracker.example"]


def test_from_names_the_actor_via_rtname(queue, django_capture_on_commit_callbacks):
    make_scrip("On Correspond", "Notify Requestors")
    actor = make_staff(real_name="Eve Agent", email="eve@tracker-staff.example")
    _, message = _reply(queue, django_capture_on_commit_callbacks, actor=actor)
    assert parseaddr(message.from_email) == (
        "Eve Agent via tracker",
        "support@tracker.example",
    )


def test_loop_and_automation_headers_are_set(queue, django_capture_on_commit_callbacks):
    make_scrip("On Correspond", "Notify Requestors")
    ticket, message = _reply(queue, django_capture_on_commit_callbacks)
    headers = message.message()
    assert headers["X-RT-Loop-Prevention"] == "tracker"
    assert headers["X-RT-Ticket"] == f"tracker #{ticket.pk}"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Precedence"] == "bulk"


def test_references_thread_every_mail_of_the_ticket(
    queue, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors")
    ticket, message = _reply(
        queue, django_capture_on_commit_callbacks, message_id="<incoming@customer>"
    )
    headers = message.message()
    assert headers["In-Reply-To"] == "<incoming@customer>"
    assert headers["References"] == (
        f"<incoming@customer> <RT-Ticket-{ticket.pk}@tracker.example>"
    )


def test_cr_lf_in_a_name_never_reaches_the_headers(
    queue, django_capture_on_commit_callbacks
):
    make_template("Named", "Subject: From {{ transaction.actor.name }}\n\nHi")
    make_scrip("On Correspond", "Notify Requestors", "Named")
    actor = make_staff(
        real_name="Eve\r\nBcc: evil@attacker.example\r\n\r\nInjected",
        email="eve@tracker-staff.example",
    )
    _, message = _reply(queue, django_capture_on_commit_callbacks, actor=actor)
    raw = message.message().as_bytes()
    assert b"\nBcc:" not in raw
    assert b"evil@attacker.example" not in raw.split(b"\n\n", 1)[1]
    assert message.recipients() == ["carol@customer.example"]
    assert "\n" not in message.subject
    assert "\r" not in message.subject
