"""Customer self-service: own tickets only, no staff-only information."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_ticket, make_user
from tracker import services
from tracker.models import Ticket, TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


def test_customer_home_lists_own_tickets_only(client, customer, ticket):
    make_ticket(subject="Someone else's", requestors=[make_user()])
    client.force_login(customer)

    html = client.get(reverse("home")).content.decode()

    assert "Printer on fire" in html
    assert "Someone else" not in html


def test_customer_cannot_open_another_customers_ticket(client, customer):
    other = make_ticket(subject="Not yours", requestors=[make_user()])
    client.force_login(customer)

    assert client.get(other.get_absolute_url()).status_code == 404


def test_customer_never_sees_comments_or_staff_panels(client, customer, ticket, staff):
    services.comment(ticket=ticket, actor=system_user(), body="Customer is difficult")
    services.take(ticket=ticket, actor=staff)
    client.force_login(customer)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Customer is difficult" not in html
    assert "Merge" not in html
    assert "AdminCc" not in html
    assert "Taken" not in html
    assert "Comment (staff only)" not in html


def test_customer_replies_to_own_ticket(client, customer, ticket):
    client.force_login(customer)

    response = client.post(
        reverse("ticket-update", args=[ticket.pk]),
        {
            "kind": "reply",
            "body": "Still burning",
            "last_updated": ticket.last_updated.isoformat(),
        },
    )

    assert response.status_code == 302
    assert ticket.transactions.latest("id").type == TransactionType.CORRESPOND


def test_customer_cannot_sneak_in_a_comment(client, customer, ticket):
    client.force_login(customer)

    response = client.post(
        reverse("ticket-update", args=[ticket.pk]),
        {
            "kind": "comment",
            "body": "psst",
            "last_updated": ticket.last_updated.isoformat(),
        },
    )

    assert response.status_code == 400
    assert not ticket.transactions.filter(type=TransactionType.COMMENT).exists()


def test_customer_creates_a_ticket_as_requestor(client, customer):
    client.force_login(customer)

    form = client.get(reverse("ticket-create"))
    response = client.post(
        reverse("ticket-create"),
        {
            "subject": "VPN down",
            "body": "Cannot connect",
            "requestors": "evil@example.com",
        },
    )

    assert form.status_code == 200
    assert b"Requestors" not in form.content
    ticket = Ticket.objects.get(subject="VPN down")
    assert response["Location"] == ticket.get_absolute_url()
    assert list(ticket.watchers.values_list("user__username", flat=True)) == ["carla"]
