"""The `tracker` CLI against a live server speaking REST 2.0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from queues.models import Queue
from tests.factories import make_ticket
from tracker.models import CustomField, Link, QueueCustomField, Ticket, Transaction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def support():
    return Queue.objects.get(name="Support")


def test_ls_table_json_and_csv(cli):
    one = make_ticket(queue=support(), subject="Disk full")
    two = make_ticket(queue=support(), subject="Fan noise")
    table = cli("ls", "Queue = 'Support'", "--fields", "id,Subject,Queue,Owner")
    assert table.code == 0, table.err
    assert [re.split(r"\s{2,}", line) for line in table.out.splitlines()] == [
        ["id", "Subject", "Queue", "Owner"],
        [str(one.pk), "Disk full", "Support", "Nobody"],
        [str(two.pk), "Fan noise", "Support", "Nobody"],
    ]
    as_json = cli("ls", "Queue = 'Support'", "--format", "json", "--order", "desc")
    assert [item["id"] for item in as_json.json()] == [str(two.pk), str(one.pk)]
    as_csv = cli(
        "ls", "Subject LIKE 'fan'", "--fields", "id,Subject", "--format", "csv"
    )
    assert as_csv.out == f"id,Subject\n{two.pk},Fan noise\n"


def test_ls_with_a_bad_query_fails_with_the_reason(cli):
    result = cli("ls", "Subject = ")
    assert result.code == 1
    assert result.err.startswith("tracker ls: ")
    assert "(HTTP 400)" in result.err


def test_show_with_history(cli, staff):
    ticket = make_ticket(queue=support(), subject="Printer", body="It jams.")
    result = cli("show", str(ticket.pk), "--history")
    assert result.code == 0, result.err
    assert re.search(rf"^id: +{ticket.pk}$", result.out, re.M)
    assert re.search(r"^Subject: +Printer$", result.out, re.M)
    assert re.search(r"^Queue: +Support$", result.out, re.M)
    assert "RT_System: Ticket created\nIt jams.\n" in result.out


def test_show_of_a_missing_ticket_exits_1(cli):
    result = cli("show", "999999")
    assert result.code == 1
    assert "HTTP 404" in result.err
    assert result.out == ""


def test_create_with_custom_field_and_attachment(cli, tmp_path):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=support())
    (tmp_path / "trace.txt").write_text("stack\n")
    result = cli(
        "create", "--queue", "Support", "--subject", "Crash",
        "--cf", "Severity=high", "--attach", str(tmp_path / "trace.txt"),
        "It crashed.",
    )  # fmt: skip
    assert result.code == 0, result.err
    ticket = Ticket.objects.get(pk=int(result.out))
    assert ticket.subject == "Crash"
    assert list(ticket.custom_values.values_list("content", flat=True)) == ["high"]
    files = ticket.transactions.get(type="Create").attachments.exclude(filename="")
    assert list(files.values_list("filename", flat=True)) == ["trace.txt"]


def test_reply_reads_stdin_and_comment_reads_a_file(cli, tmp_path):
    ticket = make_ticket(queue=support())
    reply = cli("reply", str(ticket.pk), stdin="Fixed now.\n", tty=False)
    assert reply.code == 0, reply.err
    assert "Correspondence added" in reply.out
    (tmp_path / "note.txt").write_text("internal\n")
    note = cli("comment", str(ticket.pk), "--file", str(tmp_path / "note.txt"))
    assert note.code == 0, note.err
    kinds = list(
        Transaction.objects.filter(ticket=ticket, type__in=["Correspond", "Comment"])
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert kinds == ["Correspond", "Comment"]


def test_reply_without_a_message_is_a_usage_error(cli):
    ticket = make_ticket(queue=support())
    result = cli("reply", str(ticket.pk))
    assert result.code == 2
    assert "no message" in result.err


def test_edit_take_and_resolve(cli, staff):
    ticket = make_ticket(queue=support())
    edited = cli(
        "edit",
        str(ticket.pk),
        "--status",
        "open",
        "--priority",
        "5",
        "--add-cc",
        "dave@example.org",
    )
    assert edited.code == 0, edited.err
    taken = cli("take", str(ticket.pk))
    assert taken.code == 0, taken.err
    resolved = cli("resolve", str(ticket.pk))
    assert resolved.code == 0, resolved.err
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.owner) == ("resolved", 5, staff)
    assert ticket.watchers.filter(role="Cc", user__email="dave@example.org").exists()


def test_edit_with_nothing_to_change_is_a_usage_error(cli):
    ticket = make_ticket(queue=support())
    assert cli("edit", str(ticket.pk)).code == 2


def test_link_and_merge(cli):
    a, b, c = (make_ticket(queue=support()) for _ in range(3))
    linked = cli("link", str(a.pk), "dependson", str(b.pk))
    assert linked.code == 0, linked.err
    assert Link.objects.filter(base=a, target=b, type="DependsOn").exists()
    unlinked = cli("link", "--delete", str(a.pk), "DependsOn", str(b.pk))
    assert unlinked.code == 0, unlinked.err
    assert not Link.objects.filter(base=a, target=b).exists()
    merged = cli("merge", str(c.pk), str(a.pk))
    assert merged.code == 0, merged.err
    c.refresh_from_db()
    assert c.merged_into_id == a.pk


def test_a_bad_token_is_refused(cli):
    result = cli("ls", TRACKER_TOKEN="not-a-token")
    assert result.code == 1
    assert "HTTP 401" in result.err


def test_unreachable_server_exits_3(cli):
    result = cli("ls", TRACKER_URL="http://127.0.0.1:9")
    assert result.code == 3
    assert "cannot reach" in result.err


def test_the_installed_script_reads_a_pipe(cli):
    script = Path(sys.executable).with_name("tracker")
    if not script.exists():
        pytest.skip("the `tracker` console script is not installed (pip install -e .)")
    ticket = make_ticket(queue=support())
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(script), "comment", str(ticket.pk)],
        input="piped note\n",
        env={**os.environ, **cli.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Comments added\n"
    comment = Transaction.objects.get(ticket=ticket, type="Comment")
    assert comment.attachments.get().content == "piped note\n"
