"""import_rt against a real Request Tracker 5 database.

Needs the RT 5 set up by ../shared/anchors/rt5/setup.sh (PostgreSQL database `rt5` on
127.0.0.1:5432); skipped, saying so, where it is absent. The data comes from
tests/rtimport/fill_rt5.pl, which drives RT's own Perl API (run here if RT is installed
and the data is not there yet). The import runs once for the module, inside a
transaction rolled back at the end, and each test compares one aspect with RT.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from rtimport.importer import Importer
from rtimport.models import ImportedObject
from rtimport.sources import DatabaseSource
from rtimport.tickets import decode_content
from tests.rtimport.conftest import RT5_URL
from tests.rtimport.rt_copy import (
    RT_SCHEMAS,
    drop_mysql_copy,
    make_mysql_copy,
    make_sqlite_copy,
)
from tracker.models import (
    Attachment,
    CustomFieldValue,
    Group,
    GroupMember,
    Link,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)

QUEUES = ["Import Alpha", "Import Beta"]

pytestmark = pytest.mark.django_db


def rt_rows(rt, sql, params=()):
    with rt.cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@pytest.fixture(scope="module")
def rt_ticket_ids(rt):
    rows = rt_rows(
        rt,
        "SELECT t.id FROM Tickets t JOIN Queues q ON q.id = t.Queue "
        "WHERE q.Name = ANY(%s) ORDER BY t.id",
        (QUEUES,),
    )
    return [r["id"] for r in rows]


MYSQL_HOST = os.environ.get("RT_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("RT_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("RT_MYSQL_USER", "root")


def _mysql_copy(rt, database: str) -> str:
    try:
        import pymysql
    except ImportError:
        pytest.skip("PyMySQL is not installed (pip install -e '.[test]').")
    try:
        pymysql.connect(
            host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, connect_timeout=3
        ).close()
    except pymysql.MySQLError as exc:
        pytest.skip(f"No MySQL/MariaDB at {MYSQL_HOST}:{MYSQL_PORT}: {exc}")
    return make_mysql_copy(rt, MYSQL_HOST, MYSQL_PORT, MYSQL_USER, database)


@pytest.fixture(scope="module", params=["postgresql", "mysql", "sqlite"])
def source_url(request, rt, tmp_path_factory):
    """RT's database: the PostgreSQL one RT runs on, and copies of it in RT's own
    MySQL and SQLite schemas."""
    if request.param == "postgresql":
        yield RT5_URL
        return
    schema = {"mysql": "schema.mysql", "sqlite": "schema.SQLite"}[request.param]
    if not (RT_SCHEMAS / schema).exists():
        pytest.skip(f"RT's {schema} is not in {RT_SCHEMAS}.")
    if request.param == "sqlite":
        yield make_sqlite_copy(rt, tmp_path_factory.mktemp("rt-sqlite") / "rt5.db")
        return
    database = f"test_rtimport_{os.getpid()}"
    yield _mysql_copy(rt, database)
    drop_mysql_copy(MYSQL_HOST, MYSQL_PORT, MYSQL_USER, database)


@pytest.fixture(scope="module")
def imported(source_url, django_db_setup, django_db_blocker, tmp_path_factory):
    """Run the import once per source; roll everything back when the module is done."""
    media = tmp_path_factory.mktemp("rt-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            source = DatabaseSource(source_url)
            report = Importer(source, queues=QUEUES, source_name="test-rt5").run()
            source.close()
            yield report, media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _sample(ids: list[int], n: int = 10) -> list[int]:
    step = max(len(ids) // n, 1)
    return ids[::step][:n]


def test_every_ticket_of_the_chosen_queues_keeps_its_number(imported, rt_ticket_ids):
    assert rt_ticket_ids, "fill_rt5.pl made no tickets"
    assert sorted(Ticket.objects.values_list("id", flat=True)) == rt_ticket_ids


def test_transaction_and_attachment_counts_equal_rt(imported, rt, rt_ticket_ids):
    rt_txns = rt_rows(
        rt,
        "SELECT id FROM Transactions WHERE ObjectType = 'RT::Ticket' AND ObjectId = ANY(%s)",
        (rt_ticket_ids,),
    )
    rt_attachments = rt_rows(
        rt,
        "SELECT a.id FROM Attachments a JOIN Transactions t ON t.id = a.TransactionId "
        "WHERE t.ObjectType = 'RT::Ticket' AND t.ObjectId = ANY(%s)",
        (rt_ticket_ids,),
    )
    assert Transaction.objects.filter(ticket__isnull=False).count() == len(rt_txns)
    assert Attachment.objects.count() == len(rt_attachments)


def test_users_groups_and_memberships_equal_rt(imported, rt):
    rt_users = rt_rows(rt, "SELECT Name FROM Users")
    rt_groups = rt_rows(rt, "SELECT Name FROM Groups WHERE Domain = 'UserDefined'")
    rt_members = rt_rows(
        rt,
        "SELECT gm.id FROM GroupMembers gm JOIN Groups g ON g.id = gm.GroupId "
        "WHERE g.Domain = 'UserDefined'",
    )
    names = set(User.objects.values_list("username", flat=True))
    assert {r["name"] for r in rt_users} <= names
    assert {r["name"] for r in rt_groups} <= set(
        Group.objects.values_list("name", flat=True)
    )
    assert GroupMember.objects.count() == len(rt_members)
    assert not User.objects.get(username="olduser").is_active
    assert User.objects.get(username="alice").is_privileged
    assert not User.objects.get(username="carol").is_privileged


def _rt_people(rt, ticket_id):
    rows = rt_rows(
        rt,
        "SELECT g.Name AS role, COALESCE(u.EmailAddress, mg.Name) AS who "
        "FROM Groups g JOIN GroupMembers gm ON gm.GroupId = g.id "
        "LEFT JOIN Users u ON u.id = gm.MemberId LEFT JOIN Groups mg ON mg.id = gm.MemberId "
        "WHERE g.Domain = 'RT::Ticket-Role' AND g.Instance = %s "
        "AND g.Name IN ('Requestor', 'Cc', 'AdminCc')",
        (ticket_id,),
    )
    return sorted((r["role"], r["who"]) for r in rows)


def _local_people(ticket):
    return sorted(
        (w.role, w.user.email if w.user else w.group.name)
        for w in TicketWatcher.objects.filter(ticket=ticket).select_related(
            "user", "group"
        )
    )


def test_ten_sampled_tickets_match_subject_status_and_people(
    imported, rt, rt_ticket_ids
):
    for ticket_id in _sample(rt_ticket_ids):
        [row] = rt_rows(
            rt,
            "SELECT t.Subject, t.Status, u.Name AS owner FROM Tickets t "
            "JOIN Users u ON u.id = t.Owner WHERE t.id = %s",
            (ticket_id,),
        )
        ticket = Ticket.objects.select_related("owner").get(pk=ticket_id)
        assert (ticket.subject, ticket.status) == (row["subject"], row["status"])
        assert ticket.owner.username == row["owner"]
        assert _local_people(ticket) == _rt_people(rt, ticket_id), ticket_id


def _rt_attachment_digests(rt, ticket_id):
    rows = rt_rows(
        rt,
        "SELECT a.Filename, a.Content, a.ContentEncoding FROM Attachments a "
        "JOIN Transactions t ON t.id = a.TransactionId "
        "WHERE t.ObjectType = 'RT::Ticket' AND t.ObjectId = %s",
        (ticket_id,),
    )
    return Counter(
        (
            r["filename"] or "",
            hashlib.sha256(
                decode_content(r["content"], r["contentencoding"])
            ).hexdigest(),
        )
        for r in rows
    )


def _local_attachment_digests(ticket, media):
    found = Counter()
    for a in Attachment.objects.filter(transaction__ticket=ticket):
        if a.file:
            payload = (media / a.file.name).read_bytes()
        else:
            payload = a.content.encode("utf-8")
        found[(a.filename, hashlib.sha256(payload).hexdigest())] += 1
    return found


def test_ten_sampled_tickets_match_history_length_and_attachment_bytes(
    imported, rt, rt_ticket_ids
):
    _, media = imported
    for ticket_id in _sample(rt_ticket_ids):
        [count] = rt_rows(
            rt,
            "SELECT COUNT(*) AS n FROM Transactions "
            "WHERE ObjectType = 'RT::Ticket' AND ObjectId = %s",
            (ticket_id,),
        )
        ticket = Ticket.objects.get(pk=ticket_id)
        assert ticket.transactions.count() == count["n"]
        assert _local_attachment_digests(ticket, media) == _rt_attachment_digests(
            rt, ticket_id
        ), ticket_id


def test_binary_attachments_keep_every_byte(imported):
    _, media = imported
    binaries = Attachment.objects.filter(filename__startswith="dump")
    assert binaries.exists()
    for attachment in binaries:
        payload = (media / attachment.file.name).read_bytes()
        assert payload[:256] == bytes(range(256))
        assert attachment.size == len(payload)


def test_links_and_merges_match_rt(imported, rt, rt_ticket_ids):
    rt_links = rt_rows(
        rt,
        "SELECT Type, LocalBase, LocalTarget, Target FROM Links WHERE LocalBase = ANY(%s)",
        (rt_ticket_ids,),
    )
    local = {
        (link.type, link.base_id, link.target_id or 0, link.target_uri or None)
        for link in Link.objects.all()
    }
    expected = {
        (
            r["type"],
            r["localbase"],
            r["localtarget"] or 0,
            None if r["localtarget"] else r["target"],
        )
        for r in rt_links
    }
    assert local == expected
    merged = rt_rows(
        rt,
        "SELECT id, EffectiveId FROM Tickets WHERE EffectiveId <> id AND id = ANY(%s)",
        (rt_ticket_ids,),
    )
    assert merged
    for row in merged:
        assert Ticket.objects.get(pk=row["id"]).merged_into_id == row["effectiveid"]


def test_custom_field_values_match_rt(imported, rt, rt_ticket_ids):
    rows = rt_rows(
        rt,
        "SELECT v.ObjectId, c.Name, v.Content FROM ObjectCustomFieldValues v "
        "JOIN CustomFields c ON c.id = v.CustomField WHERE v.ObjectType = 'RT::Ticket' "
        "AND v.Disabled = 0 AND v.ObjectId = ANY(%s)",
        (rt_ticket_ids,),
    )
    expected = Counter((r["objectid"], r["name"], r["content"]) for r in rows)
    local = Counter(
        (v.ticket_id, v.custom_field.name, v.content)
        for v in CustomFieldValue.objects.select_related("custom_field")
    )
    assert local == expected


def test_queue_watchers_rights_and_scrips_are_brought_across(imported):
    from queues.models import Queue
    from scrips.models import Scrip, Template

    alpha = Queue.objects.get(name="Import Alpha")
    assert alpha.watchers.get(role="AdminCc").group.name == "NetOps"
    assert alpha.grants.filter(right="ShowTicket", group__name="Staff").exists()
    assert alpha.grants.filter(right="ShowTicket", role="Requestor").exists()
    assert Template.objects.get(name="Beta notice").content.startswith(
        "Subject: Resolved: {{ ticket.subject }}"
    )
    scrip = Scrip.objects.get(description="On Resolve Notify Requestors (beta)")
    assert (scrip.condition, scrip.action) == ("On Resolve", "Notify Requestors")


def test_a_second_run_imports_nothing_again(imported, source_url):
    report, _ = imported
    assert report.imported["ticket"] > 0
    before = ImportedObject.objects.count()
    again = Importer(
        DatabaseSource(source_url), queues=QUEUES, source_name="test-rt5"
    ).run()
    assert sum(again.imported.values()) == 0
    assert again.existing["ticket"] == report.imported["ticket"]
    assert ImportedObject.objects.count() == before


def test_imported_history_triggers_no_notifications(imported):
    from scrips.models import Notification

    assert not Notification.objects.exists()


def test_import_command_prints_the_report(imported, source_url, capsys):
    call_command(
        "import_rt",
        "--database-url",
        source_url,
        "--queue",
        QUEUES[0],
        "--queue",
        QUEUES[1],
        "--source-name",
        "test-rt5",
        "--no-progress",
    )
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["kind", "imported", "already", "skipped"]
    assert "RT's internal approvals queue" in out
