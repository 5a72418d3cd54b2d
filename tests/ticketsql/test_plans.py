"""On PostgreSQL, each typical search is one SQL statement that can be answered through
indexes: with sequential scans disabled, the planner still finds an index path for
every table the search reads. With six tickets the planner may prefer any index of a
table, so where it names none in particular the test checks that the condition is in
the statement and that an index starting with its column exists.

The same check at 100,000 tickets is in docs/TICKETSQL_PLANS.md
(`manage.py explain_ticketsql`).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_staff
from tests.ticketsql.conftest import make_field
from tracker import services
from tracker.models import User
from tracker.principals import system_user
from tracker.ticketsql.plans import explain_search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
    ),
]


@pytest.fixture
def agent():
    noc = make_queue("NOC")
    agent = make_staff(username="agent", email="agent@example.org")
    grant_many([*STAFF_RIGHTS, "SeeCustomField"], user=agent, queue=noc)
    field = make_field("Incident Type", "freeform")
    for n in range(6):
        ticket = services.create_ticket(
            queue=noc,
            actor=system_user(),
            subject=f"Incident {n}",
            body="The relay answers with a timeout." if n % 2 else "All good.",
            requestors=[f"reporter{n}@example.net"],
            owner=agent if n % 3 == 0 else None,
        )
        services.set_custom_field(
            ticket=ticket,
            field=field,
            values=["phishing" if n % 2 else "malware"],
            actor=system_user(),
        )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return agent


def _plan(user, query):
    plan = explain_search(user, query)
    assert plan.statements == 1, plan.text
    assert plan.seq_scans == (), plan.text
    assert _reads_by_index(plan, "tracker_ticket"), plan.text
    return plan


def _has_index_starting_with(table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = [row[0] for row in cursor.fetchall()]
    return any(f"btree ({column}" in d for d in definitions)


def _reads_by_index(plan, table: str) -> bool:
    pattern = rf"(Index Scan|Index Only Scan|Bitmap Heap Scan)[^\n]* on {table}\b"
    return re.search(pattern, plan.text) is not None


def test_queue_and_active_status_read_tickets_and_queues_by_index(agent):
    plan = _plan(agent, "Queue = 'NOC' AND Status = '__Active__'")

    assert _reads_by_index(plan, "queues_queue"), plan.text
    assert _has_index_starting_with("tracker_ticket", "queue_id, status"), plan.text


def test_owner_current_user_is_an_index_condition_on_owner(agent):
    plan = _plan(agent, "Owner = '__CurrentUser__'")

    assert re.search(r"owner_id = \d+", plan.text), plan.text
    assert _has_index_starting_with("tracker_ticket", "owner_id"), plan.text


def _index_exists(table: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [table, name],
        )
        return cursor.fetchone() is not None


def test_requestor_address_goes_through_the_watcher_index(agent):
    plan = _plan(agent, "Requestor.EmailAddress LIKE 'reporter3'")

    assert _reads_by_index(plan, "tracker_ticketwatcher"), plan.text
    assert "ticketwatcher_user_role" in plan.indexes or _index_exists(
        "tracker_ticketwatcher", "ticketwatcher_user_role"
    ), plan.text


def test_a_substring_of_an_address_is_found_through_the_trigram_index(agent):
    plan = _plan(agent, "Requestor.EmailAddress LIKE 'reporter3'")
    # Six users are cheaper to reach from the watchers by primary key; on its own,
    # with plain index scans off too, the condition the search compiled to is served
    # by the trigram index on that very expression.
    assert "upper((email)::text) ~~ '%REPORTER3%'" in plan.text, plan.text
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
    users = User.objects.filter(email__icontains="reporter3").explain()
    assert "Bitmap Index Scan on user_email_trgm" in users, users


def test_subject_like_is_served_by_the_trigram_index(agent):
    plan = _plan(agent, "Subject LIKE 'incident 3'")

    assert "upper((subject)::text) ~~" in plan.text, plan.text
    assert "ticket_subject_trgm" in plan.indexes or _index_exists(
        "tracker_ticket", "ticket_subject_trgm"
    ), plan.text


def test_created_is_compared_in_sql_and_has_an_index(agent):
    plan = _plan(agent, "Created > '7 days ago'")

    assert "created >" in plan.text, plan.text
    assert _has_index_starting_with("tracker_ticket", "created"), plan.text


def test_custom_field_value_reads_values_by_index(agent):
    plan = _plan(agent, "CF.{Incident Type} = 'phishing'")

    assert _reads_by_index(plan, "tracker_customfieldvalue"), plan.text


def test_content_uses_the_full_text_gin_index(agent):
    plan = _plan(agent, "Content LIKE 'timeout'")

    # Which index the planner takes for six rows depends on the statistics earlier
    # tests left; the full-text match and its GIN index must both be there.
    assert "@@" in plan.text, plan.text
    assert "searchdocument_vector_gin" in plan.indexes or _index_exists(
        "tracker_searchdocument", "searchdocument_vector_gin"
    ), plan.text
