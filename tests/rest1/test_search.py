"""REST 1.0 `search/ticket`: TicketSQL, ordering, the i/s/l formats, rights."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_ticket
from tests.rest1.conftest import ticketsql_ready

pytestmark = [
    pytest.mark.urls("tests.rest1.urls"),
    pytest.mark.skipif(
        not ticketsql_ready(), reason="tracker.ticketsql has not landed yet"
    ),
]


@pytest.fixture
def two(queue, staff):
    return make_ticket(queue=queue, subject="Alpha"), make_ticket(
        queue=queue, subject="Beta"
    )


def search(client, **params):
    response = client.get("/REST/1.0/search/ticket", params)
    assert response.status_code == 200
    return response.content.decode()


def test_short_format_is_id_and_subject(as_staff, two):
    a, b = two
    assert search(as_staff, query="Queue = 'Support'") == (
        f"RT/5.0.3 200 Ok\n\n{a.pk}: Alpha\n{b.pk}: Beta\n"
    )


def test_id_format_and_descending_order(as_staff, two):
    a, b = two
    body = search(as_staff, query="Queue = 'Support'", format="i", orderby="-id")
    assert body == f"RT/5.0.3 200 Ok\n\nticket/{b.pk}\nticket/{a.pk}\n"


def test_long_format_with_fields(as_staff, two):
    a, _ = two
    body = search(
        as_staff, query="Subject LIKE 'alp'", format="l", fields="Subject,Status"
    )
    assert (
        body == f"RT/5.0.3 200 Ok\n\nid: ticket/{a.pk}\nSubject: Alpha\nStatus: new\n\n"
    )


def test_short_format_with_fields_is_tab_separated(as_staff, two):
    a, _ = two
    body = search(as_staff, query=f"id = {a.pk}", format="s", fields="subject")
    assert body == f"RT/5.0.3 200 Ok\n\nid\tSubject\n{a.pk}\tAlpha\n"


def test_no_match(as_staff, two):
    assert search(as_staff, query="Subject = 'nothing'") == (
        "RT/5.0.3 200 Ok\n\nNo matching results.\n"
    )


def test_a_bad_query_is_a_400_saying_why(as_staff, two):
    body = search(as_staff, query="Subject = ")
    assert body.startswith("RT/5.0.3 400 Bad Request\n\nInvalid query: '")


def test_unknown_format_is_refused(as_staff, two):
    assert "400 Bad Request" in search(as_staff, query="id > 0", format="x")


def test_search_never_returns_tickets_you_may_not_see(as_outsider, two):
    assert search(as_outsider, query="Queue = 'Support'") == (
        "RT/5.0.3 200 Ok\n\nNo matching results.\n"
    )


def test_long_listing_costs_the_same_queries_for_more_tickets(as_staff, queue):
    def queries_for_listing():
        with CaptureQueriesContext(connection) as captured:
            search(as_staff, query="Queue = 'Support'", format="l")
        return len(captured.captured_queries)

    for _ in range(2):
        make_ticket(queue=queue, requestors=["r@example.org"], cc=["c@example.org"])
    few = queries_for_listing()
    for _ in range(4):
        make_ticket(queue=queue, requestors=["r@example.org"], cc=["c@example.org"])
    assert queries_for_listing() == few
