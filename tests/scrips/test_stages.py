"""TransactionCreate runs per transaction; TransactionBatch once per batch of changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from scrips.models import ScripRun
from tests.factories import make_ticket
from tests.scrips.conftest import make_scrip, make_template
from tracker import services
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")


@pytest.fixture
def ticket(queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_ticket(queue=queue, requestors=["carol@customer.example"])


def _resolve_with_comment(ticket):
    with transaction.atomic():
        services.comment(ticket=ticket, actor=system_user(), body="Fixed the fan.")
        services.set_status(ticket=ticket, status="resolved", actor=system_user())


def test_batch_scrip_sends_one_mail_for_changes_made_together(
    ticket, django_capture_on_commit_callbacks
):
    make_scrip("On Transaction", "Notify Requestors", stage="TransactionBatch")
    with django_capture_on_commit_callbacks(execute=True):
        _resolve_with_comment(ticket)
    assert len(mail.outbox) == 1


def test_transaction_create_scrip_sends_one_mail_per_change(
    ticket, django_capture_on_commit_callbacks
):
    make_scrip("On Transaction", "Notify Requestors")
    with django_capture_on_commit_callbacks(execute=True):
        _resolve_with_comment(ticket)
    assert len(mail.outbox) == 2


def test_batch_scrip_runs_again_for_a_later_commit(
    ticket, django_capture_on_commit_callbacks
):
    make_scrip("On Transaction", "Notify Requestors", stage="TransactionBatch")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(ticket=ticket, actor=system_user(), body="one")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(ticket=ticket, actor=system_user(), body="two")
    assert len(mail.outbox) == 2


def test_batch_condition_matches_any_transaction_of_the_batch(
    ticket, django_capture_on_commit_callbacks
):
    make_scrip("On Resolve", "Notify Requestors", "Resolved", stage="TransactionBatch")
    with django_capture_on_commit_callbacks(execute=True):
        _resolve_with_comment(ticket)
    [message] = mail.outbox
    assert "now resolved" in message.body


def test_batch_template_sees_every_transaction(
    ticket, django_capture_on_commit_callbacks
):
    make_template(
        "Summary",
        "Subject: changes\n\n{% for t in batch %}{{ t.description }};{% endfor %}",
    )
    make_scrip(
        "On Transaction", "Notify Requestors", "Summary", stage="TransactionBatch"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _resolve_with_comment(ticket)
    assert mail.outbox[0].body == (
        "Comments added;Status changed from 'new' to 'resolved';"
    )


def test_batch_run_is_logged_against_the_last_transaction(
    ticket, django_capture_on_commit_callbacks
):
    scrip = make_scrip("On Transaction", "Notify Requestors", stage="TransactionBatch")
    with django_capture_on_commit_callbacks(execute=True):
        _resolve_with_comment(ticket)
    run = ScripRun.objects.get(scrip=scrip)
    assert run.transaction == ticket.transactions.filter(type="Status").get()
    assert run.stage == "TransactionBatch"
