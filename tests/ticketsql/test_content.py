"""Full-text search over message content, and ContentType / Filename of attachments."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import grant, make_staff
from tests.ticketsql.conftest import ids
from tracker import services
from tracker.models import SearchDocument
from tracker.principals import system_user
from tracker.ticketsql import search
from tracker.ticketsql.content import document_match

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text index is PostgreSQL-only"
)


def test_content_like_finds_words_in_messages(world):
    assert ids(world.admin, "Content LIKE 'timeout'") == [world.mail.pk]
    assert ids(world.admin, "Content LIKE 'TIMEOUT'") == [world.mail.pk]
    assert ids(world.admin, "Content = 'smtp relay'") == [world.mail.pk]
    assert ids(world.admin, "Content LIKE 'database disk'") == [world.disk.pk]
    assert ids(world.admin, "Content NOT LIKE 'timeout'") == sorted(
        [world.printer.pk, world.disk.pk]
    )
    assert ids(world.admin, "Content != 'timeout'") == sorted(
        [world.printer.pk, world.disk.pk]
    )
    assert ids(world.admin, "Content LIKE 'no such words anywhere'") == []


def test_content_of_html_parts_is_searched_without_tags(world):
    assert ids(world.admin, "Content LIKE 'stuck'") == [world.printer.pk]
    assert ids(world.admin, "Content LIKE 'tray'") == [world.printer.pk]
    document = SearchDocument.objects.get(ticket=world.printer)
    assert "<b>" not in document.content


def test_replies_and_comments_are_indexed_in_the_same_transaction(world):
    services.correspond(
        ticket=world.disk, actor=system_user(), body="Rebooted the frobnicator."
    )
    services.comment(
        ticket=world.printer, actor=system_user(), body="Frobnicator again?"
    )
    assert ids(world.admin, "Content LIKE 'frobnicator'") == sorted(
        [world.printer.pk, world.disk.pk]
    )


def test_content_of_a_merged_ticket_counts_for_the_survivor(world):
    services.merge_tickets(source=world.printer, target=world.mail, actor=system_user())
    assert ids(world.admin, "Content LIKE 'stuck'") == [world.mail.pk]


def test_content_with_punctuation_only_falls_back_to_a_substring_match(world):
    assert ids(world.admin, "Content LIKE '...'") == []
    assert ids(world.admin, "Content LIKE '%'") == []


def test_attachments_by_content_type_and_filename(world):
    services.correspond(
        ticket=world.disk,
        actor=system_user(),
        body="Logs attached.",
        uploads=[services.Upload("db1.log", "text/x-log", b"disk full\n")],
    )
    assert ids(world.admin, "ContentType = 'text/html'") == [world.printer.pk]
    assert ids(world.admin, "ContentType LIKE 'log'") == [world.disk.pk]
    assert ids(world.admin, "ContentType != 'text/html'") == sorted(
        [world.mail.pk, world.disk.pk]
    )
    assert ids(world.admin, "Filename = 'db1.log'") == [world.disk.pk]
    assert ids(world.admin, "Filename ENDSWITH '.LOG'") == [world.disk.pk]
    assert ids(world.admin, "Filename IS NOT NULL") == [world.disk.pk]
    assert ids(world.admin, "Filename IS NULL") == sorted(
        [world.mail.pk, world.printer.pk]
    )


@on_postgres
def test_content_search_uses_the_gin_index(world):
    # With four tickets the planner may as well walk them and probe each one's
    # documents; what matters is that the word match itself has the GIN index.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = SearchDocument.objects.filter(document_match("timeout")).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "searchdocument_vector_gin" in plan


@on_postgres
def test_content_search_joins_no_transaction_to_check_comments(world):
    viewer = make_staff(username="viewer")  # may see the tickets, not the comments
    grant("ShowTicket", user=viewer, queue=world.mail.queue)

    sql = str(search(viewer, "Content LIKE 'timeout'").query)

    assert "tracker_transaction" not in sql
    assert "transaction_type" in sql


@on_postgres
def test_content_words_are_prefix_matches_on_postgres(world):
    assert ids(world.admin, "Content LIKE 'timeo'") == [world.mail.pk]
    assert ids(world.admin, "Content LIKE 'relay timeout'") == [world.mail.pk]


def test_a_rolled_back_message_leaves_no_search_text(world):
    from django.db import transaction

    class Boom(Exception):
        pass

    def reply_then_fail():
        with transaction.atomic():
            services.correspond(
                ticket=world.disk, actor=system_user(), body="Ephemeral words"
            )
            assert ids(world.admin, "Content LIKE 'ephemeral'") == [world.disk.pk]
            raise Boom

    with pytest.raises(Boom):
        reply_then_fail()
    assert ids(world.admin, "Content LIKE 'ephemeral'") == []
