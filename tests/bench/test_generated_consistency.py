"""A small generated data set obeys the model as the services would have left it."""

from __future__ import annotations

import pytest
from django.db import connection

from tracker.management.bulk import INCIDENT_TYPES, Scale, generate
from tracker.models import (
    CustomFieldValue,
    Link,
    SearchDocument,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)
from tracker.ticketsql import search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generated():
    return generate(
        Scale(tickets=300, queues=12, users=80, long_tickets=2, long_length=120)
    )


def test_every_ticket_opens_with_its_create_transaction(generated):
    firsts = {}
    for ticket_id, kind in Transaction.objects.order_by("id").values_list(
        "ticket_id", "type"
    ):
        firsts.setdefault(ticket_id, kind)

    assert len(firsts) == Ticket.objects.count() == 300
    assert set(firsts.values()) == {"Create"}


def test_every_message_has_a_search_document_on_its_ticket(generated):
    documents = SearchDocument.objects.select_related("attachment__transaction")

    assert documents.count() == generated.attachments
    assert all(
        d.ticket_id == d.attachment.transaction.ticket_id
        and d.content == d.attachment.content
        for d in documents
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector")
def test_search_vectors_equal_what_the_database_computes_from_the_text(generated):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tracker_searchdocument WHERE vector IS DISTINCT FROM "
            "to_tsvector('simple'::regconfig, left(content, 100000))"
        )
        assert cursor.fetchone()[0] == 0


def test_a_quoted_case_reference_is_found_by_a_content_search(generated):
    document = SearchDocument.objects.filter(content__contains="reference is CASE")[0]
    reference = document.content.rsplit("reference is ", 1)[1].rstrip(".")
    superuser = User.objects.create_superuser("searcher", "searcher@example.com", "x")

    found = search(superuser, f"Content LIKE '{reference}'")

    assert document.ticket_id in set(found.values_list("pk", flat=True))


def test_watchers_links_and_custom_field_values_point_at_real_rows(generated):
    tickets = set(Ticket.objects.values_list("pk", flat=True))
    users = set(User.objects.values_list("pk", flat=True))
    requestors = TicketWatcher.objects.filter(role="Requestor")

    assert {w.ticket_id for w in requestors} == tickets
    assert all(
        w.user_id in users and w.group_id is None for w in TicketWatcher.objects.all()
    )
    assert Link.objects.exists()
    assert all(
        link.base_id in tickets and link.target_id in tickets
        for link in Link.objects.all()
    )
    assert all(link.target_id < link.base_id for link in Link.objects.all())
    values = CustomFieldValue.objects.all()
    assert values.exists()
    assert {v.content for v in values} <= set(INCIDENT_TYPES)
    assert {v.ticket_id for v in values} <= tickets


def test_ticket_creator_is_its_requestor_and_last_update_its_last_transaction(
    generated,
):
    for ticket in Ticket.objects.all()[:60]:
        last = Transaction.objects.filter(ticket=ticket).order_by("id").last()
        assert ticket.last_updated == last.created
        assert ticket.last_updated_by_id == last.creator_id
        assert TicketWatcher.objects.filter(
            ticket=ticket, role="Requestor", user_id=ticket.creator_id
        ).exists()
