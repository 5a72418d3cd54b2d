"""TransactionSQL and the HTTP search endpoints: random input gives a result or a query
error (a 400 over HTTP), never a server error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api.conftest import Api
from tests.ticketsql.test_fuzz import FIELDS, FUZZ, GLUE, OPERATORS, VALUES, conditions
from tracker import services
from tracker.ticketsql import TicketSQLError
from tracker.ticketsql.transactions import search_transactions

pytestmark = pytest.mark.django_db

TRANSACTION_FIELDS = [
    "id",
    "Type",
    "Field",
    "OldValue",
    "NewValue",
    "ObjectType",
    "ObjectId",
    "TimeTaken",
    "OldReference",
    "Created",
    "Creator",
    "Creator.EmailAddress",
    "Content",
    "ContentType",
    "Filename",
    "TicketId",
    *(f"Ticket{name}" for name in FIELDS if "." not in name),
    "TicketOwner.Name",
    "Ticket",
]
txn_words = st.sampled_from(TRANSACTION_FIELDS + OPERATORS + VALUES + GLUE)
txn_soup = st.lists(st.one_of(txn_words, st.text(max_size=4)), max_size=12).map(
    " ".join
)
txn_condition = st.builds(
    lambda f, o, v: f"{f} {o} {v}",
    st.sampled_from(TRANSACTION_FIELDS),
    st.sampled_from(OPERATORS),
    st.one_of(st.sampled_from(VALUES), st.integers().map(str)),
)


@pytest.fixture
def history(world):
    services.correspond(ticket=world.mail, actor=world.admin, body="On it.")
    return world


def run(user, query: str) -> None:
    error = None
    try:
        list(search_transactions(user, query))
    except TicketSQLError as exc:
        error = exc
    if error is not None:
        assert error.message
        assert 0 <= error.position <= len(query) + 1


@FUZZ
@given(query=st.text(max_size=40))
def test_random_strings_in_transactionsql(history, query):
    run(history.alice, query)


@FUZZ
@given(query=txn_soup)
def test_random_token_sequences_in_transactionsql(history, query):
    run(history.alice, query)


@FUZZ
@given(query=st.lists(txn_condition, min_size=1, max_size=3).map(" OR ".join))
def test_random_transaction_conditions(history, query):
    run(history.alice, query)
    run(history.admin, query)


@FUZZ
@given(query=st.one_of(conditions, st.text(max_size=30)))
def test_ticket_search_over_http_is_200_or_400(history, query):
    response = Api(history.alice).get("tickets", query=query)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["message"]


@FUZZ
@given(query=st.one_of(txn_soup, st.text(max_size=30)))
def test_transaction_search_over_http_is_200_or_400(history, query):
    response = Api(history.alice).get("transactions", query=query)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["message"]
