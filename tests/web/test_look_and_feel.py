"""Autocomplete, theme, shortcuts help and the live history refresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_queue, make_ticket, make_user
from tracker import services

pytestmark = pytest.mark.django_db


def test_people_autocomplete_lists_matching_users(client, staff):
    make_user(username="dora", email="dora@example.com", real_name="Dora Explorer")
    client.force_login(staff)

    response = client.get(reverse("autocomplete-people"), {"who": "dor"})

    assert response.status_code == 200
    assert (
        b'<option value="dora@example.com">Dora Explorer</option>' in response.content
    )


def test_people_autocomplete_needs_two_characters(client, staff):
    make_user(username="dora", email="dora@example.com")
    client.force_login(staff)

    response = client.get(reverse("autocomplete-people"), {"who": "d"})

    assert b"<option" not in response.content


def test_customers_cannot_list_people(client, customer):
    client.force_login(customer)

    assert client.get(reverse("autocomplete-people"), {"who": "sam"}).status_code == 404


def test_ticket_autocomplete_finds_by_number_and_subject(client, staff):
    ticket = make_ticket(subject="Printer on fire")
    client.force_login(staff)

    by_subject = client.get(reverse("autocomplete-tickets"), {"other": "printer"})
    by_number = client.get(reverse("autocomplete-tickets"), {"other": f"#{ticket.pk}"})

    assert f'value="{ticket.pk}"'.encode() in by_subject.content
    assert f'value="{ticket.pk}"'.encode() in by_number.content


def test_ticket_autocomplete_leaves_out_tickets_the_user_may_not_see(client, staff):
    make_ticket(queue=make_queue("Secret"), subject="Secret printer")
    client.force_login(staff)

    response = client.get(reverse("autocomplete-tickets"), {"other": "printer"})

    assert b"Secret" not in response.content


def test_theme_cookie_sets_the_page_theme(client, staff):
    client.force_login(staff)
    client.cookies["theme"] = "dark"

    response = client.get(reverse("home"))

    assert b'data-theme="dark"' in response.content


def test_unknown_theme_cookie_is_ignored(client, staff):
    client.force_login(staff)
    client.cookies["theme"] = '"><script>'

    response = client.get(reverse("home"))

    assert b"data-theme" not in response.content.split(b"<head>")[0]


def test_pages_document_the_keyboard_shortcuts(client, staff, ticket):
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert 'id="shortcuts"' in page
    for key in ("r", "c", "t", "s", "/", "?"):
        assert f"<kbd>{key}</kbd>" in page


def test_change_notice_asks_the_page_to_refresh_its_history(client, staff, ticket):
    client.force_login(staff)
    loaded = ticket.last_updated.isoformat()
    services.comment(ticket=ticket, actor=staff, body="Someone else was here")

    response = client.get(
        reverse("ticket-changed", args=[ticket.pk]), {"since": loaded}
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"


def test_history_block_shows_the_newest_entries(client, staff, ticket):
    services.comment(ticket=ticket, actor=staff, body="Fresh remark")
    client.force_login(staff)

    response = client.get(reverse("ticket-history", args=[ticket.pk]))

    assert response.status_code == 200
    assert b"Fresh remark" in response.content
    assert b"<html" not in response.content


def test_history_block_of_a_forbidden_ticket_is_a_404(client, customer):
    other = make_ticket(subject="Not yours")
    client.force_login(customer)

    assert client.get(reverse("ticket-history", args=[other.pk])).status_code == 404


def test_customer_history_block_hides_comments(client, customer, ticket, staff):
    services.comment(ticket=ticket, actor=staff, body="Internal only")
    client.force_login(customer)

    response = client.get(reverse("ticket-history", args=[ticket.pk]))

    assert response.status_code == 200
    assert b"Internal only" not in response.content
