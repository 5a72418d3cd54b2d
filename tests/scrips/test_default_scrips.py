"""The scrips shipped out of the box, end to end through the outbox (eager Celery)."""

from __future__ import annotations

from django.core import mail

from tests.factories import make_ticket
from tracker.models import Transaction, TransactionType


def _create(queue, customer, capture, **kwargs):
    with capture(execute=True):
        return make_ticket(
            queue=queue, requestors=[customer], subject="Printer on fire", **kwargs
        )


def test_create_sends_autoreply_to_requestor(
    queue, customer, django_capture_on_commit_callbacks
):
    ticket = _create(queue, customer, django_capture_on_commit_callbacks)
    autoreplies = [
        m
        for m in mail.outbox
        if m.subject.startswith(f"[tracker #{ticket.pk}] AutoReply")
    ]
    assert len(autoreplies) == 1
    message = autoreplies[0]
    assert message.to == ["carol@customer.example"]
    assert message.extra_headers["Auto-Submitted"] == "auto-replied"


def test_create_notifies_queue_admin_cc_in_bcc(
    queue, customer, admin_cc, django_capture_on_commit_callbacks
):
    ticket = _create(queue, customer, django_capture_on_commit_callbacks)
    staff_mail = [m for m in mail.outbox if "boss@tracker-staff.example" in m.bcc]
    assert len(staff_mail) == 1
    assert staff_mail[0].extra_headers["Auto-Submitted"] == "auto-generated"
    assert staff_mail[0].subject == f"[tracker #{ticket.pk}] Printer on fire"


def test_sent_mail_is_recorded_in_ticket_history(
    queue, customer, django_capture_on_commit_callbacks
):
    ticket = _create(queue, customer, django_capture_on_commit_callbacks)
    record = Transaction.objects.get(ticket=ticket, type=TransactionType.EMAIL_RECORD)
    assert record.data["to"] == ["carol@customer.example"]
    assert record.data["message_id"] == mail.outbox[0].extra_headers["Message-ID"]
