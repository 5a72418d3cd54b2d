"""Metrics: numbers from visible tickets only, as a page and as JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_queue, make_ticket
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import CustomField, CustomFieldChoice, QueueCustomField
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


def _json(client, **params):
    response = client.get(reverse("metrics-json"), params)
    assert response.status_code == 200
    return response.json()


def test_metrics_count_created_and_resolved(client, staff):
    make_ticket(subject="Open one")
    done = make_ticket(subject="Done one")
    services.correspond(ticket=done, actor=staff, body="On it")
    services.set_status(ticket=done, status="resolved", actor=staff)
    client.force_login(staff)

    data = _json(client, days=7)

    assert data["totals"] == {"created": 2, "resolved": 1, "open": 1}
    assert data["created_vs_resolved"][-1]["created"] == 2
    assert data["resolve_hours"]["count"] == 1
    assert data["first_response_hours"]["count"] == 1


def test_metrics_leave_out_tickets_the_user_may_not_see(client, staff):
    make_ticket(queue=make_queue("Secret"))
    make_ticket()
    client.force_login(staff)

    data = _json(client)

    assert data["totals"]["created"] == 1
    assert {row["queue"] for row in data["open_by_queue_status"]} == {"General"}


def test_metrics_break_down_by_a_select_field(client, staff, general):
    field = CustomField.objects.create(name="Incident type", type="select")
    CustomFieldChoice.objects.create(custom_field=field, name="Phishing")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    ticket = make_ticket()
    services.set_custom_field(
        ticket=ticket, field=field, values=["Phishing"], actor=system_user()
    )
    client.force_login(staff)

    data = _json(client, cf=field.pk)

    assert data["custom_field"] == {
        "name": "Incident type",
        "values": [{"value": "Phishing", "count": 1}],
    }


def test_metrics_page_shows_the_numbers_as_tables(client, staff):
    make_ticket()
    client.force_login(staff)

    response = client.get(reverse("metrics"))

    assert response.status_code == 200
    assert b"Created and resolved per day" in response.content
    assert b"data-chart-src" in response.content


def test_metrics_query_count_does_not_grow_with_tickets(client, staff):
    make_ticket()
    client.force_login(staff)
    url = reverse("metrics")
    few = count_queries(client, url)
    for _n in range(25):
        make_ticket()

    assert count_queries(client, url) == few


def test_customers_have_no_metrics(client, customer):
    client.force_login(customer)

    assert client.get(reverse("metrics")).status_code == 404
