"""The hot paths the benchmark times stay flat as data grows: constant query counts for
the pages, and an index behind every benchmark search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import dataset
from bench.scenarios import BIG_TABLES, benchmark_queries
from tracker.management.bulk import Scale, generate
from tracker.ticketsql import search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fixture():
    generate(Scale(tickets=120, queues=4, users=60, long_tickets=1, long_length=400))
    return dataset.fixture()


@pytest.fixture
def browser(client, fixture):
    client.force_login(
        fixture.user, backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def _queries(client, path: str) -> int:
    client.get(path)  # warm caches that are filled once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _grow_history(fixture, replies: int) -> None:
    from tracker.models import Ticket
    from tracker.services import comment

    ticket = Ticket.objects.get(pk=fixture.long_ticket)
    for n in range(replies):
        comment(ticket=ticket, actor=fixture.user, body=f"More history {n}")


def test_the_ticket_page_costs_no_more_queries_as_the_history_grows(browser, fixture):
    path = f"/ticket/{fixture.long_ticket}/"
    before = _queries(browser, path)

    _grow_history(fixture, 60)

    assert _queries(browser, path) <= before


def test_the_search_page_costs_the_same_queries_for_many_rows_as_for_few(
    browser, fixture
):
    few = _queries(browser, "/search/?q=" + f"id = {fixture.normal_ticket}")
    many = _queries(browser, "/search/?q=" + "id > 0")

    assert many == few


def test_the_rest_ticket_get_costs_the_same_queries_however_long_the_history(
    client, fixture
):
    client.force_login(
        fixture.user, backend="django.contrib.auth.backends.ModelBackend"
    )
    path = f"/REST/2.0/ticket/{fixture.long_ticket}"
    before = _queries(client, path)

    _grow_history(fixture, 60)

    assert _queries(client, path) == before


def _big_table_scans(plan: str) -> list[str]:
    return [t for t in BIG_TABLES if f"Seq Scan on {t} " in plan]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    "label",
    [
        "queue + active",
        "owner = me",
        "requestor email LIKE",
        "created in last 7 days",
        "custom field value",
        "5-clause mix",
    ],
)
def test_each_benchmark_search_can_be_answered_through_indexes(fixture, label):
    """With sequential scans priced out, a plan that still scans a big table has no
    index to use: on a large data set that search would read the whole table."""
    query = benchmark_queries(fixture)[label]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = search(fixture.user, query, order_by="id", order="DESC")[:50].explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")

    assert _big_table_scans(plan) == [], plan
