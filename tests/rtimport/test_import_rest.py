"""import_rt --rest-url: the same import through RT 5's REST 2.0 API, checked against
RT's database. Needs the RT 5 of ../shared/anchors/rt5/setup.sh running (web on :8080,
database rt5); skipped, saying so, when it is not."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings

from rtimport.importer import Importer
from tests.rtimport.conftest import _connect, _is_filled
from tests.rtimport.test_import_rt5 import (
    _local_attachment_digests,
    _local_people,
    _rt_attachment_digests,
    _rt_people,
    rt_rows,
)
from tracker.models import Ticket

RT_WEB = os.environ.get("RT5_WEB_URL", "http://127.0.0.1:8080")
QUEUE = "Import Beta"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def rt():
    conn = _connect()
    if not _is_filled(conn):
        pytest.skip("The rt5 database holds no test data (run test_import_rt5 first).")
    try:
        urllib.request.urlopen(f"{RT_WEB}/NoAuth/Login.html", timeout=10)  # noqa: S310
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"RT 5's web server is not running at {RT_WEB}: {exc}")
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def imported(rt, django_db_setup, django_db_blocker, tmp_path_factory):
    from rtimport.rest import RestSource

    media = tmp_path_factory.mktemp("rt-rest-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            source = RestSource(
                RT_WEB, user="root", password="password", queues=[QUEUE]
            )
            report = Importer(source, queues=[QUEUE], source_name="test-rest").run()
            source.close()
            yield report, media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def rt_ticket_ids(rt):
    """RT's REST 2.0 shows a merged ticket only as the one it was merged into, with
    both histories: the REST import therefore holds the surviving tickets."""
    rows = rt_rows(
        rt,
        "SELECT t.id FROM Tickets t JOIN Queues q ON q.id = t.Queue "
        "WHERE q.Name = %s AND t.EffectiveId = t.id ORDER BY t.id",
        (QUEUE,),
    )
    return [r["id"] for r in rows]


def test_rest_import_brings_every_ticket_with_its_number(imported, rt_ticket_ids):
    assert sorted(Ticket.objects.values_list("id", flat=True)) == rt_ticket_ids


def test_rest_import_matches_rt_ticket_by_ticket(imported, rt, rt_ticket_ids):
    _, media = imported
    for ticket_id in rt_ticket_ids:
        [row] = rt_rows(
            rt,
            "SELECT Subject, Status, (SELECT COUNT(*) FROM Transactions WHERE "
            "ObjectType = 'RT::Ticket' AND ObjectId IN "
            "(SELECT id FROM Tickets m WHERE m.EffectiveId = t.id)) AS n "
            "FROM Tickets t WHERE id = %s",
            (ticket_id,),
        )
        ticket = Ticket.objects.get(pk=ticket_id)
        assert (ticket.subject, ticket.status) == (row["subject"], row["status"])
        assert ticket.transactions.count() == row["n"]
        assert _local_people(ticket) == _rt_people(rt, ticket_id)
        merged = rt_rows(
            rt, "SELECT id FROM Tickets WHERE EffectiveId = %s", (ticket_id,)
        )
        expected = sum(
            (_rt_attachment_digests(rt, m["id"]) for m in merged), start=Counter()
        )
        assert _local_attachment_digests(ticket, media) == expected, ticket_id


def test_rest_import_reports_groups_once(imported):
    report, _ = imported
    assert report.imported["group"] == 2  # Staff and NetOps, not RT's role groups
