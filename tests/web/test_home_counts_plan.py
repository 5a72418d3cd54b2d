"""The home page's open-ticket counts read the partial index of open tickets."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from lifecycles.defaults import LIFECYCLES
from tests.factories import make_ticket, make_user
from tracker.web.home import open_counts

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL plans only"
    ),
]


def test_open_counts_use_the_open_tickets_index():
    # A superuser's count has no rights clause, whose shape depends on the grants in
    # the database; the question here is the counting itself.
    admin = make_user(privileged=True, is_superuser=True)
    make_ticket(subject="Open one")
    # The shipped lifecycles' inactive statuses, which the index's predicate leaves out
    # (the registry may hold other tests' lifecycles when the whole suite runs).
    shipped = {s for lc in LIFECYCLES.values() for s in lc["inactive"]}
    query = open_counts(admin, shipped)

    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows would be read sequentially; ask whether the index fits.
        # Statistics left by earlier tests' rows would steer the planner elsewhere.
        cursor.execute("ANALYZE tracker_ticket, queues_queue")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()

    assert "ticket_open_queue_status" in plan
