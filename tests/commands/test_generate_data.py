"""The benchmark data generator keeps the model's invariants."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lifecycles import registry
from tracker import rights
from tracker.management.bulk import Scale, generate
from tracker.models import Ticket, TicketWatcher, Transaction, User
from tracker.queries import visible_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    return generate(
        Scale(tickets=60, queues=5, users=40, long_tickets=1, long_length=300)
    )


def _bench_tickets():
    return Ticket.objects.filter(queue__name__startswith="bench").select_related(
        "queue__lifecycle"
    )


def test_every_ticket_starts_with_a_create_carrying_its_message(generated):
    for ticket in _bench_tickets():
        first = Transaction.objects.filter(ticket=ticket).order_by("id").first()
        assert first.type == "Create"
        assert first.attachments.filter(content_type="text/plain").exists()


def test_status_and_dates_agree_with_the_lifecycle(generated):
    for ticket in _bench_tickets():
        lifecycle = registry.get_lifecycle(ticket.queue.lifecycle.name)
        assert lifecycle.is_valid(ticket.status)
        assert (ticket.resolved is not None) or not lifecycle.is_inactive(ticket.status)
        last = Transaction.objects.filter(ticket=ticket).order_by("id").last()
        assert ticket.last_updated == last.created


def test_long_ticket_has_the_requested_history(generated):
    assert (
        Transaction.objects.filter(ticket__in=_bench_tickets()).count()
        == generated.transactions
    )
    assert max(t.transactions.count() for t in _bench_tickets()) == 300


def test_every_ticket_has_a_requestor(generated):
    assert (
        TicketWatcher.objects.filter(
            ticket__in=_bench_tickets(), role="Requestor"
        ).count()
        == 60
    )


def test_generated_staff_see_the_tickets_through_their_group(generated):
    staff = User.objects.filter(username__contains="-staff").first()
    ticket = _bench_tickets().first()
    assert rights.has_right(staff, rights.SHOW_TICKET, ticket)
    assert visible_tickets(staff).filter(queue__name__startswith="bench").count() == 60


def test_command_reports_its_rate(capsys):
    call_command(
        "generate_data", tickets=10, queues=2, users=10, long_tickets=0, verbosity=1
    )
    assert "10 tickets" in capsys.readouterr().out
