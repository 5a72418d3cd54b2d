"""GET/POST /tickets: TicketSQL, paging, fields=, ordering, constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import Api
from tests.factories import make_queue, make_ticket

pytestmark = pytest.mark.django_db


def make_many(count, **fields):
    return [
        make_ticket(subject=f"Ticket {n}", requestors=[f"r{n}@example.org"], **fields)
        for n in range(count)
    ]


def test_collection_shape_and_paging(api):
    tickets = make_many(5)

    first = api.get("tickets", query="Queue = 'General'", per_page=2).json()

    assert first["total"] == 5
    assert first["count"] == 2
    assert first["page"] == 1
    assert first["pages"] == 3
    assert first["per_page"] == 2
    assert "prev_page" not in first
    assert first["next_page"].endswith("&page=2")
    assert first["items"][0] == {
        "type": "ticket",
        "id": str(tickets[0].pk),
        "_url": f"http://testserver/REST/2.0/ticket/{tickets[0].pk}",
    }
    last = api.get(first["next_page"].replace("&page=2", "&page=3")).json()
    assert last["count"] == 1
    assert "next_page" not in last
    assert last["prev_page"].endswith("&page=2")


def test_per_page_is_capped_at_100_and_bad_values_fall_back(api):
    make_many(2)

    assert api.get("tickets", per_page=1000).json()["per_page"] == 100
    body = api.get("tickets", per_page="x", page="-3").json()
    assert (body["per_page"], body["page"]) == (20, 1)


def test_page_beyond_the_end_is_empty(api):
    make_many(2)

    body = api.get("tickets", page=9).json()

    assert body["items"] == []
    assert body["count"] == 0
    assert body["total"] == 2


def test_fields_inline_values(api):
    make_many(1, priority=4)

    item = api.get(
        "tickets",
        query="id > 0",
        fields="Subject,Status,Priority,Owner,Queue,Requestor,Nope",
    ).json()["items"][0]

    assert item["Subject"] == "Ticket 0"
    assert item["Status"] == "new"
    assert item["Priority"] == 4
    assert item["Owner"]["id"] == "Nobody"
    assert item["Queue"]["type"] == "queue"
    assert item["Requestor"][0]["id"] == "r0@example.org"
    assert "Nope" not in item


def test_search_never_returns_hidden_tickets(api):
    visible = make_ticket(subject="shared words")
    make_ticket(queue=make_queue("Hidden"), subject="shared words")

    body = api.get("tickets", query="Subject LIKE 'shared'").json()

    assert [item["id"] for item in body["items"]] == [str(visible.pk)]
    assert body["total"] == 1


def test_ordering(api):
    tickets = make_many(3)

    body = api.get("tickets", query="id > 0", orderby="id", order="DESC").json()

    assert [i["id"] for i in body["items"]] == [str(t.pk) for t in reversed(tickets)]
    assert api.get("tickets", order="sideways").status_code == 400


def test_bad_ticketsql_is_400_with_position(api):
    response = api.get("tickets", query="Subject = ")

    assert response.status_code == 400
    assert "position" in response.json()["message"]
    unknown = api.get("tickets", query="Colour = 'red'")
    assert unknown.status_code == 400


def test_simple_search(api):
    target = make_ticket(subject="Kernel panic on web3")
    make_ticket(subject="Other")

    by_words = api.get("tickets", query="panic", simple="1").json()
    by_number = api.get("tickets", query=str(target.pk), simple="1").json()

    assert [i["id"] for i in by_words["items"]] == [str(target.pk)]
    assert [i["id"] for i in by_number["items"]] == [str(target.pk)]


def test_post_search_with_form_or_json(api):
    target = make_ticket(subject="Posted search")

    as_json = api.post("tickets", {"query": "Subject LIKE 'Posted'"}).json()
    as_form = api.client.post("/REST/2.0/tickets", {"query": "Subject LIKE 'Posted'"})

    assert [i["id"] for i in as_json["items"]] == [str(target.pk)]
    assert [i["id"] for i in as_form.json()["items"]] == [str(target.pk)]
    assert api.post("tickets", ["x"]).status_code == 400


def _queries_for_page(api, **params):
    with CaptureQueriesContext(connection) as captured:
        response = api.get("tickets", **params)
    assert response.status_code == 200
    return len(captured), response.json()


def test_page_query_count_is_constant(api, django_assert_max_num_queries):
    params = {
        "query": "Queue = 'General'",
        "fields": "Subject,Status,Owner,Creator,Queue,Requestor,Cc,LastUpdatedBy,CustomFields",
        "per_page": "100",
    }
    make_many(3)
    api.get("tickets", **params)  # warm per-process caches
    small, body = _queries_for_page(api, **params)
    assert body["count"] == 3
    make_many(27)
    with django_assert_max_num_queries(small):
        large_body = api.get("tickets", **params).json()

    assert large_body["count"] == 30


def test_unprivileged_requestor_sees_only_their_tickets(general):
    from tests.factories import make_user

    customer = make_user(email="cust@example.org", username="cust")
    mine = make_ticket(requestors=[customer])
    make_ticket()

    body = Api(customer).get("tickets").json()

    assert [i["id"] for i in body["items"]] == [str(mine.pk)]


def test_several_sort_keys(api):
    low = make_ticket(subject="b", priority=1)
    high_a = make_ticket(subject="a", priority=5)
    high_b = make_ticket(subject="c", priority=5)

    via_get = api.get("tickets", orderby="Priority,Subject", order="DESC,ASC").json()
    via_post = api.post(
        "tickets",
        {"query": "", "orderby": ["Priority", "Subject"], "order": ["DESC", "ASC"]},
    ).json()

    expected = [str(t.pk) for t in (high_a, high_b, low)]
    assert [i["id"] for i in via_get["items"]] == expected
    assert [i["id"] for i in via_post["items"]] == expected
