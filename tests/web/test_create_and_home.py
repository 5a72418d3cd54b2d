"""Creating tickets and the staff home page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import grant, make_queue, make_staff, make_ticket
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import CustomField, QueueCustomField, Ticket
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


# --- Create -----------------------------------------------------------------------------


def test_create_form_lists_queues_when_several(client, staff):
    other = make_queue("Hardware")
    grant("CreateTicket", user=staff, queue=other)
    client.force_login(staff)

    response = client.get(reverse("ticket-create"))

    assert response.status_code == 200
    assert b"Hardware" in response.content


def test_staff_creates_a_ticket_with_requestors_and_files(client, staff, general):
    client.force_login(staff)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG...", content_type="image/png")

    response = client.post(
        reverse("ticket-create"),
        {
            "queue": general.pk,
            "subject": "Laptop screen cracked",
            "requestors": "pat@example.com, lee@example.com",
            "cc": "",
            "body": "Dropped it.",
            "status": "open",
            "time_estimated": "45",
            "attachments": [upload],
        },
    )

    ticket = Ticket.objects.get(subject="Laptop screen cracked")
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.status == "open"
    assert ticket.time_estimated == 45
    assert ticket.watchers.filter(role="Requestor").count() == 2
    assert ticket.transactions.get().attachments.filter(filename="photo.png").exists()


def test_create_sets_initial_custom_fields(client, staff, general):
    field = CustomField.objects.create(name="Asset tag", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    grant("SetInitialCustomField", user=staff, queue=general)
    client.force_login(staff)

    client.post(
        reverse("ticket-create"),
        {
            "queue": general.pk,
            "subject": "Tagged",
            "status": "new",
            f"cf_{field.pk}": "A-1",
        },
    )

    ticket = Ticket.objects.get(subject="Tagged")
    assert list(ticket.custom_values.values_list("content", flat=True)) == ["A-1"]


def test_create_without_subject_is_a_form_error(client, staff, general):
    client.force_login(staff)

    response = client.post(
        reverse("ticket-create"), {"queue": general.pk, "status": "new"}
    )

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_create_with_bad_address_is_a_form_error(client, staff, general):
    client.force_login(staff)

    response = client.post(
        reverse("ticket-create"),
        {"queue": general.pk, "subject": "x", "status": "new", "requestors": "a@b@c"},
    )

    assert response.status_code == 400


def test_create_in_a_forbidden_queue_is_404(client, staff):
    secret = make_queue("Secret")
    client.force_login(staff)

    response = client.get(reverse("ticket-create"), {"queue": secret.pk})

    assert response.status_code == 404


# --- Home -------------------------------------------------------------------------------


def test_home_shows_my_tickets_unowned_and_requests(client, staff):
    mine = make_ticket(subject="Owned by me")
    services.take(ticket=mine, actor=staff)
    make_ticket(subject="Nobody owns me")
    make_ticket(subject="I asked for this", requestors=[staff])
    client.force_login(staff)

    html = client.get(reverse("home")).content.decode()

    assert "Owned by me" in html
    assert "Nobody owns me" in html
    assert "I asked for this" in html
    assert "Open tickets by queue" in html


def test_home_leaves_out_resolved_tickets(client, staff):
    done = make_ticket(subject="Long finished")
    services.set_status(ticket=done, status="resolved", actor=system_user())
    client.force_login(staff)

    assert b"Long finished" not in client.get(reverse("home")).content


def test_home_counts_only_visible_tickets(client, staff):
    make_ticket(queue=make_queue("Secret"), subject="Hidden")
    make_ticket(subject="Visible")
    client.force_login(staff)

    html = client.get(reverse("home")).content.decode()

    assert "Secret" not in html
    assert "Hidden" not in html


def test_home_query_count_does_not_grow_with_tickets(client, staff):
    make_ticket(subject="One", requestors=[staff])
    client.force_login(staff)
    few = count_queries(client, reverse("home"))
    for n in range(30):
        ticket = make_ticket(subject=f"Many {n}", requestors=[staff])
        if n % 3 == 0:
            services.take(ticket=ticket, actor=staff)

    assert count_queries(client, reverse("home")) == few


def test_person_tickets_lists_only_visible_tickets(client, staff, customer, ticket):
    make_ticket(queue=make_queue("Secret"), subject="Hidden", requestors=[customer])
    client.force_login(staff)

    html = client.get(reverse("person-tickets", args=[customer.pk])).content.decode()

    assert "Printer on fire" in html
    assert "Hidden" not in html


def test_person_tickets_is_staff_only(client, customer):
    client.force_login(customer)

    assert client.get(reverse("person-tickets", args=[customer.pk])).status_code == 404


def test_staff_without_queue_rights_sees_empty_home(client):
    make_ticket(subject="Somewhere")
    client.force_login(make_staff())

    assert b"Somewhere" not in client.get(reverse("home")).content
