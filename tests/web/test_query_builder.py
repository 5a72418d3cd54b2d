"""The search page's query builder and column choice."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import QueryDict
from django.urls import reverse

from tests.factories import make_ticket, make_user
from tracker.web.querybuilder import (
    ALL_OPERATORS,
    OPERATORS,
    BuilderError,
    Row,
    build_query,
    combine,
    field_kinds,
    rows_from,
)

pytestmark = pytest.mark.django_db


def test_rows_are_joined_with_and_or_and_values_are_quoted():
    kinds = field_kinds()
    rows = [
        Row("Subject", "LIKE", "it's broken"),
        Row("Status", "=", "new", "OR"),
        Row("Priority", ">", "5", "AND"),
    ]

    assert build_query(rows, kinds) == (
        "Subject LIKE 'it\\'s broken' OR Status = 'new' AND Priority > 5"
    )


def test_unknown_field_or_operator_is_refused():
    kinds = field_kinds()

    with pytest.raises(BuilderError):
        build_query([Row("Password", "=", "x")], kinds)
    with pytest.raises(BuilderError):
        build_query([Row("Created", "LIKE", "x")], kinds)


def test_blank_rows_are_skipped():
    params = QueryDict(mutable=True)
    params.setlist("bf", ["Subject", "", "Status"])
    params.setlist("bo", ["LIKE", "=", "="])
    params.setlist("bv", ["printer", "", ""])
    params.setlist("bj", ["AND", "AND", "OR"])

    assert rows_from(params) == [Row("Subject", "LIKE", "printer")]


def test_builder_joins_the_raw_query_with_and():
    assert combine("Queue = 'General'", "Status = 'new'") == (
        "(Queue = 'General') AND (Status = 'new')"
    )


def test_builder_search_finds_tickets_and_fills_the_raw_box(client, staff):
    make_ticket(subject="Printer jammed")
    make_ticket(subject="Coffee machine")
    client.force_login(staff)

    response = client.get(
        reverse("ticket-search"),
        {"q": "", "build": "1", "bf": "Subject", "bo": "LIKE", "bv": "printer"},
    )

    assert response.status_code == 200
    assert response.context["params"]["q"] == "Subject LIKE 'printer'"
    assert [t.subject for t in response.context["tickets"]] == ["Printer jammed"]


def test_builder_with_a_bad_operator_is_a_form_error(client, staff):
    client.force_login(staff)

    response = client.get(
        reverse("ticket-search"),
        {"build": "1", "bf": "Created", "bo": "LIKE", "bv": "x"},
    )

    assert response.status_code == 400
    assert b"does not take" in response.content


def test_builder_offers_custom_fields(client, staff):
    from tracker.models import CustomField

    CustomField.objects.create(name="Incident type", type="select")
    client.force_login(staff)

    response = client.get(reverse("ticket-search"))

    assert b"CF.{Incident type}" in response.content


def test_chosen_columns_are_shown_in_order(client, staff, customer):
    make_ticket(subject="Printer", requestors=[customer])
    client.force_login(staff)

    response = client.get(
        reverse("ticket-search"), {"q": "", "col": ["Requestors", "Subject", "id"]}
    )

    headers = [str(link["label"]) for link in response.context["sort_links"]]
    assert headers == ["Requestors", "Subject", "#"]
    assert b"carla@example.com" in response.content


def test_unknown_columns_fall_back_to_the_default_set(client, staff):
    client.force_login(staff)

    response = client.get(reverse("ticket-search"), {"q": "", "col": ["Nonsense"]})

    assert response.context["params"]["col"][:2] == ["id", "Subject"]


def test_csv_export_uses_the_chosen_columns(client, staff, customer):
    ticket = make_ticket(subject="Printer", requestors=[customer])
    client.force_login(staff)

    response = client.get(
        reverse("ticket-search"),
        {"q": "", "col": ["id", "Requestors"], "format": "csv"},
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["id", "Requestors"], [str(ticket.pk), "carla@example.com"]]


def test_saved_search_keeps_its_columns(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("saved-search-create"),
        {
            "name": "Slim",
            "q": "id > 0",
            "order_by": "id",
            "order": "ASC",
            "columns": "Subject,Owner",
        },
    )

    assert "col=Subject&col=Owner" in response["Location"]


def test_search_with_requestors_column_runs_constant_queries(client, staff):
    from tests.web.conftest import count_queries

    customer = make_user(email="a@example.com")
    make_ticket(requestors=[customer])
    client.force_login(staff)
    url = reverse("ticket-search") + "?q=&col=id&col=Requestors&col=Owner"
    few = count_queries(client, url)
    for _n in range(20):
        make_ticket(requestors=[customer])

    assert count_queries(client, url) == few


def test_the_operator_list_offers_every_operator_a_field_takes():
    offered = set(ALL_OPERATORS)

    assert all(set(ops) <= offered for ops in OPERATORS.values())
