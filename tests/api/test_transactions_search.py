"""GET/POST /REST/2.0/transactions: TransactionSQL and RT's JSON search form, with the
caller's rights always applied, plus paging and errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import grant, make_admin, make_queue, make_ticket, make_user
from tracker import services
from tracker.models import CustomField, QueueCustomField, Transaction
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff):
    ticket = make_ticket(subject="Printer jam", body="Tray 2 jams on every job.")
    services.correspond(
        ticket=ticket, actor=staff, body="Replaced the roller, timeout gone."
    )
    services.comment(ticket=ticket, actor=staff, body="Internal: roller was worn.")
    return ticket


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["id"]) for item in response.json()["items"]]


def _txn(ticket, kind: str) -> Transaction:
    return Transaction.objects.get(ticket=ticket, type=kind)


def test_query_by_type_returns_matching_transactions(api, ticket):
    response = api.get("transactions", query="Type = 'Correspond'")

    assert _ids(response) == [_txn(ticket, "Correspond").pk]


def test_query_by_ticket_field_and_creator(api, ticket, staff):
    other = make_ticket(subject="Other")
    services.correspond(ticket=other, actor=staff, body="Elsewhere")

    response = api.get(
        "transactions",
        query=f"TicketId = {ticket.pk} AND Creator = 'staff'",
    )

    assert _ids(response) == [
        _txn(ticket, "Correspond").pk,
        _txn(ticket, "Comment").pk,
    ]


def test_query_by_ticket_subject_and_status_category(api, ticket):
    response = api.get(
        "transactions",
        query="TicketSubject LIKE 'printer' AND TicketStatus = '__Active__' "
        "AND Type = 'Create'",
    )

    assert _ids(response) == [_txn(ticket, "Create").pk]


def test_query_by_content_finds_the_message(api, ticket):
    response = api.get("transactions", query="Content LIKE 'roller'")

    assert sorted(_ids(response)) == sorted(
        [_txn(ticket, "Correspond").pk, _txn(ticket, "Comment").pk]
    )


def test_query_by_created_date(api, ticket):
    assert len(_ids(api.get("transactions", query="Created > '1 hour ago'"))) >= 3
    assert _ids(api.get("transactions", query="Created < 'yesterday'")) == []


def test_search_hides_transactions_of_tickets_the_user_may_not_see(ticket, general):
    vault = make_queue("Vault")
    secret = make_ticket(queue=vault, subject="Secret", body="roller inside")
    viewer = make_user(username="viewer", privileged=True)
    grant("ShowTicket", user=viewer, queue=general)

    ids = _ids(Api(viewer).get("transactions", query="Content LIKE 'roller'"))

    assert _txn(secret, "Create").pk not in ids
    assert _txn(ticket, "Correspond").pk in ids


def test_search_hides_comments_without_show_ticket_comments(ticket, general):
    viewer = make_user(username="viewer", privileged=True)
    grant("ShowTicket", user=viewer, queue=general)

    ids = _ids(Api(viewer).get("transactions", query=f"TicketId = {ticket.pk}"))

    assert _txn(ticket, "Comment").pk not in ids
    assert _txn(ticket, "Correspond").pk in ids


def test_outsider_finds_nothing(outsider, ticket):
    assert _ids(Api(outsider).get("transactions")) == []


def test_paging_and_field_selection(api, ticket):
    response = api.get(
        "transactions",
        query=f"TicketId = {ticket.pk}",
        per_page="2",
        page="2",
        fields="Type,Creator",
        orderby="id",
        order="DESC",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["count"], body["page"], body["pages"]) == (3, 1, 2, 2)
    assert body["per_page"] == 2
    assert "prev_page" in body
    assert "next_page" not in body
    item = body["items"][0]
    assert item["id"] == str(_txn(ticket, "Create").pk)
    assert item["Type"] == "Create"
    assert item["Creator"]["type"] == "user"
    assert item["_url"].endswith(f"/REST/2.0/transaction/{item['id']}")


def test_post_json_object_runs_the_same_search(api, ticket):
    response = api.post("transactions", {"query": "Type = 'Comment'"})

    assert _ids(response) == [_txn(ticket, "Comment").pk]


def test_post_json_search_form(api, ticket):
    response = api.post(
        "transactions",
        [
            {"field": "Type", "value": "Create"},
            {"field": "Type", "value": "Comment", "entry_aggregator": "OR"},
        ],
    )

    assert _ids(response) == [_txn(ticket, "Create").pk, _txn(ticket, "Comment").pk]


def test_unparsable_query_is_400_saying_where(api, ticket):
    response = api.get("transactions", query="Type = ")

    assert response.status_code == 400
    assert "message" in response.json()


def test_unknown_field_is_400_naming_it(api, ticket):
    response = api.get("transactions", query="Colour = 'red'")

    assert response.status_code == 400
    assert "Colour" in response.json()["message"]


def test_unknown_sort_key_is_400(api, ticket):
    response = api.get("transactions", orderby="Colour")

    assert response.status_code == 400


def test_json_search_with_unknown_field_is_400(api, ticket):
    response = api.post("transactions", [{"field": "Colour", "value": "red"}])

    assert response.status_code == 400


def test_anonymous_is_401(anonymous):
    assert anonymous.get("transactions").status_code == 401


def test_superuser_sees_queue_transactions_too(ticket, general):
    admin = make_admin(username="root")
    services.grant_right(right="ShowTicket", actor=admin, user=admin, queue=general)

    ids = _ids(Api(admin).get("transactions", query="ObjectType = 'queue'"))

    assert ids == list(
        Transaction.objects.filter(object_type="queue").values_list("pk", flat=True)
    )
    assert ids


def test_custom_field_changes_need_see_custom_field(ticket, general):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    services.set_custom_field(
        ticket=ticket, field=field, values=["high"], actor=system_user()
    )
    change = Transaction.objects.get(ticket=ticket, type="CustomField")
    viewer = make_user(username="viewer", privileged=True)
    grant("ShowTicket", user=viewer, queue=general)
    api = Api(viewer)

    assert change.pk not in _ids(api.get("transactions", query="Type = 'CustomField'"))
    assert api.get(f"transaction/{change.pk}").status_code == 404
    grant("SeeCustomField", user=viewer, queue=general)
    assert api.get(f"transaction/{change.pk}").status_code == 200
    assert _ids(api.get("transactions", query="Type = 'CustomField'")) == [change.pk]
