"""The bulk generator's fast paths keep the data whole: search documents, foreign keys
and indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from tracker.management.bulk import Scale, generate
from tracker.management.bulk.writer import indexes_rebuilt_after
from tracker.models import Attachment, SearchDocument, Ticket, Transaction, User
from tracker.ticketsql import search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generated():
    return generate(
        Scale(tickets=40, queues=3, users=30, long_tickets=1, long_length=50)
    )


def test_every_generated_message_has_its_search_document(generated):
    texts = Attachment.objects.exclude(content="").filter(
        transaction__ticket__isnull=False
    )

    assert texts.count() == generated.attachments
    assert SearchDocument.objects.count() == texts.count()
    assert not SearchDocument.objects.exclude(
        ticket_id__in=Ticket.objects.values("pk")
    ).exists()


def test_generated_messages_are_found_by_a_content_search(generated):
    document = SearchDocument.objects.select_related("attachment__transaction").first()
    # A plain word: addresses and host names ("198.51.100.7", "mx.fra.example") are
    # single tokens to the full-text parser but not to a user typing them.
    words = [w.strip(".,?;%") for w in document.content.split()]
    word = max((w for w in words if w.isalpha()), key=len)
    superuser = User.objects.create_superuser("searcher", "searcher@example.com", "x")

    found = search(superuser, f"Content LIKE '{word}'")

    assert document.attachment.transaction.ticket_id in set(
        found.values_list("pk", flat=True)
    )


def test_generated_rows_reference_existing_rows(generated):
    assert not Transaction.objects.exclude(
        ticket_id__in=Ticket.objects.values("pk")
    ).exists()
    assert not Attachment.objects.exclude(
        transaction_id__in=Transaction.objects.values("pk")
    ).exists()
    assert not Ticket.objects.exclude(owner_id__in=User.objects.values("pk")).exists()


def _index_definitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_indexes_dropped_for_a_large_load_are_all_back_afterwards():
    before = _index_definitions("tracker_transaction")

    with indexes_rebuilt_after([Transaction]):
        during = _index_definitions("tracker_transaction")

    assert len(during) < len(before)
    assert _index_definitions("tracker_transaction") == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_a_large_load_rebuilds_the_indexes_it_dropped(monkeypatch):
    from tracker.management import bulk

    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)
    before = _index_definitions("tracker_searchdocument")

    generate(Scale(tickets=20, queues=2, users=20, long_tickets=0))

    assert _index_definitions("tracker_searchdocument") == before
    assert SearchDocument.objects.exists()


def test_most_tickets_untouched_for_a_month_are_closed(generated):
    from datetime import timedelta

    from django.utils import timezone

    from lifecycles import registry

    old = Ticket.objects.filter(
        last_updated__lt=timezone.now() - timedelta(days=30)
    ).select_related("queue__lifecycle")
    closed = [
        t
        for t in old
        if registry.get_lifecycle(t.queue.lifecycle.name).is_inactive(t.status)
    ]

    assert len(old) > 20
    assert len(closed) >= 0.7 * len(old)
