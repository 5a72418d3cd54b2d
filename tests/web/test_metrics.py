"""Metrics: numbers from visible tickets only, as a page and as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tests.factories import STAFF_RIGHTS, grant, grant_many, make_queue, make_ticket
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import CustomField, CustomFieldChoice, QueueCustomField, Ticket
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
    grant("SeeCustomField", user=staff, queue=general)
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


def test_breakdown_leaves_out_fields_the_user_may_not_see(client, staff, general):
    field = CustomField.objects.create(name="Incident type", type="select")
    CustomFieldChoice.objects.create(custom_field=field, name="Phishing")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    services.set_custom_field(
        ticket=make_ticket(), field=field, values=["Phishing"], actor=system_user()
    )
    client.force_login(staff)

    data = _json(client, cf=field.pk)

    assert data["custom_field"]["values"] == []


def _resolved_after(hours, staff):
    ticket = make_ticket()
    services.set_status(ticket=ticket, status="resolved", actor=staff)
    Ticket.objects.filter(pk=ticket.pk).update(
        created=F("resolved") - timedelta(hours=hours)
    )
    return ticket


def test_resolve_time_median_and_p90_use_the_continuous_percentile(client, staff):
    for hours in (1, 2, 3, 4, 10):
        _resolved_after(hours, staff)
    client.force_login(staff)

    data = _json(client, days=7)

    # Ranks 0.5 * 4 = 2 (3 h) and 0.9 * 4 = 3.6 (4 h + 0.6 * 6 h), as percentile_cont.
    assert data["resolve_hours"] == {"count": 5, "median": 3.0, "p90": 7.6}


def test_first_response_counts_only_staff_replies(client, staff, customer):
    answered = make_ticket(requestors=[customer])
    services.correspond(ticket=answered, actor=staff, body="Looking")
    waiting = make_ticket(requestors=[customer])
    services.correspond(ticket=waiting, actor=customer, body="Anyone?")
    client.force_login(staff)

    data = _json(client)

    assert data["first_response_hours"]["count"] == 1


def test_date_range_limits_the_tickets_counted(client, staff):
    old = make_ticket(subject="Last year")
    Ticket.objects.filter(pk=old.pk).update(
        created=timezone.now() - timedelta(days=400)
    )
    make_ticket(subject="Today")
    today = timezone.localdate()
    client.force_login(staff)

    data = _json(
        client, start=(today - timedelta(days=2)).isoformat(), end=today.isoformat()
    )

    assert data["days"] == 3
    assert data["totals"]["created"] == 1
    assert data["period"] == {
        "start": (today - timedelta(days=2)).isoformat(),
        "end": today.isoformat(),
    }


def test_metrics_filter_by_queue(client, staff):
    other = make_queue("Other")
    grant_many(STAFF_RIGHTS, user=staff, queue=other)
    make_ticket(queue=other)
    make_ticket()
    client.force_login(staff)

    data = _json(client, queue=other.pk)

    assert data["queue"] == "Other"
    assert data["totals"]["created"] == 1


def test_backlog_age_puts_open_tickets_in_buckets(client, staff):
    fresh = make_ticket()
    stale = make_ticket()
    Ticket.objects.filter(pk=stale.pk).update(
        created=timezone.now() - timedelta(days=45)
    )
    assert fresh.pk
    client.force_login(staff)

    data = _json(client)

    assert data["backlog_age"] == {"under_1d": 1, "1_7d": 0, "7_30d": 0, "over_30d": 1}


def test_bad_filters_fall_back_to_defaults(client, staff):
    client.force_login(staff)

    data = _json(client, days="x", start="not-a-date", end="2020-01-01", queue="zz")

    assert data["days"] == 30
    assert data["queue"] is None
