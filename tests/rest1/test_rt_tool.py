"""RT's own `rt` command-line tool (Debian package rt5-clients) against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from queues.models import Queue
from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_ticket, make_user
from tests.rest1.conftest import ticketsql_ready
from tracker.models import (
    CustomField,
    Link,
    LinkType,
    QueueCustomField,
    Ticket,
    TicketWatcher,
    Transaction,
)

RT = shutil.which("rt") or "/usr/bin/rt"


pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(RT),
        reason="RT's `rt` tool is not installed (apt-get install rt5-clients)",
    ),
    pytest.mark.urls("tests.rest1.urls"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# `rt` finds its session file through getpwuid(), not $HOME; this shim points it at
# $HOME so a test never touches the real ~/.rt_sessions.
_SHIM = (
    "BEGIN { *CORE::GLOBAL::getpwuid = sub { my @p = CORE::getpwuid($_[0]);"
    " $p[7] = $ENV{HOME}; return wantarray ? @p : $p[0]; }; }"
    " $0 = $ENV{RT_BIN}; do $ENV{RT_BIN}; die $@ if $@;"
)


@pytest.fixture
def staff(db):
    queue = make_queue("Support")
    user = make_user(privileged=True, username="alice", email="alice@example.org")
    user.set_password("secret")
    user.save()
    grant_many(
        [*STAFF_RIGHTS, "SeeCustomField", "ModifyCustomField"], user=user, queue=queue
    )
    return user


@pytest.fixture
def rt(live_server, staff, tmp_path):
    config = tmp_path / "rtrc"
    config.write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith("RT")
    }
    env.update(
        HOME=str(tmp_path),
        RT_BIN=RT,
        RTCONFIG=str(config),  # an absolute path: no other .rtrc is read
        RTSERVER=live_server.url,
        RTUSER="alice",
        RTPASSWD="secret",
        EDITOR="false",
        NO_PROXY="*",
    )

    def run(
        *args: str, check: bool = True, stdin: str = ""
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - fixed program, test arguments
            ["perl", "-e", _SHIM, *args],  # noqa: S607
            env=env,
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stderr + result.stdout
        return result

    run.home = tmp_path
    run.env = env
    return run


def test_show_prints_the_ticket_and_its_history(rt):
    ticket = make_ticket(
        queue=Queue.objects.get(name="Support"),
        subject="Disk full",
        body="df says 100%",
    )
    out = rt("show", str(ticket.pk)).stdout
    assert f"Subject: [rt #ticket/{ticket.pk}] Disk full" in out
    assert "X-Queue: Support" in out
    assert "df says 100%" in out


def test_show_raw_fields(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"), subject="Raw")
    out = rt("show", "-f", "subject,status", f"ticket/{ticket.pk}").stdout
    assert out.splitlines() == [
        f"id: ticket/{ticket.pk}",
        "Subject: Raw",
        "Status: new",
    ]


def test_show_of_a_missing_ticket_says_so(rt):
    out = rt("show", "-f", "subject", "ticket/999").stdout
    assert "# Ticket 999 does not exist." in out


def test_login_session_is_kept_between_calls(rt):
    rt("show", "-f", "subject", "ticket/1")
    sessions = (rt.home / ".rt_sessions").read_text()
    assert re.search(r" alice \S+=[0-9a-f]+$", sessions, re.M)
    rt("show", "-f", "subject", "ticket/1")
    rt("logout")


def test_wrong_password_is_reported(rt, tmp_path_factory):
    rt.env.update(HOME=str(tmp_path_factory.mktemp("fresh")), RTPASSWD="wrong")
    result = rt("show", "ticket/1", check=False)
    assert result.returncode != 0
    assert "Incorrect username or password" in result.stderr


def test_create_sets_fields_and_text(rt):
    out = rt(
        "create",
        "-t",
        "ticket",
        "set",
        "queue=Support",
        "subject=New laptop",
        "requestor=carol@example.org",
        "priority=7",
        "text=Please order one.",
    ).stdout
    number = int(re.search(r"# Ticket (\d+) created\.", out).group(1))
    ticket = Ticket.objects.get(pk=number)
    assert (ticket.queue.name, ticket.subject, ticket.priority) == (
        "Support",
        "New laptop",
        7,
    )
    assert TicketWatcher.objects.filter(
        ticket=ticket, role="Requestor", user__email="carol@example.org"
    ).exists()
    assert (
        ticket.transactions.get(type="Create").attachments.get().content
        == "Please order one."
    )


def test_edit_changes_status_owner_and_watchers(rt, staff):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"))
    out = rt(
        "edit", str(ticket.pk), "set", "status=open", "owner=alice", "subject=Renamed"
    ).stdout
    assert f"# Ticket {ticket.pk} updated." in out
    rt("edit", str(ticket.pk), "add", "cc=dave@example.org")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.subject) == ("open", staff, "Renamed")
    assert ticket.watchers.filter(role="Cc", user__email="dave@example.org").exists()


def test_edit_a_custom_field(rt):
    support = Queue.objects.get(name="Support")
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=support)
    ticket = make_ticket(queue=support)
    rt("edit", str(ticket.pk), "set", "CF.{Severity}=high")
    assert list(ticket.custom_values.values_list("content", flat=True)) == ["high"]
    shown = rt("show", "-f", "CF.{Severity}", f"ticket/{ticket.pk}").stdout
    assert "CF.{Severity}: high" in shown


def test_edit_with_a_bad_status_changes_nothing(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"))
    out = rt("edit", str(ticket.pk), "set", "status=bogus", "priority=9").stdout
    assert "isn't a valid status" in out
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("new", 0)


def test_resolve_shortcut(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"), status="open")
    rt("resolve", str(ticket.pk))
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_comment_with_attachment(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"))
    (rt.home / "log.txt").write_text("error 42\n")
    out = rt(
        "comment", "-m", "See the log.", "-a", str(rt.home / "log.txt"), str(ticket.pk)
    ).stdout
    assert "Comments added" in out
    txn = Transaction.objects.get(ticket=ticket, type="Comment")
    files = {a.filename: a for a in txn.attachments.all() if a.filename}
    assert list(files) == ["log.txt"]
    with files["log.txt"].file.open("rb") as handle:
        assert handle.read() == b"error 42\n"


def test_correspond(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"))
    out = rt("correspond", "-m", "On it.", "-s", "open", str(ticket.pk)).stdout
    assert "Correspondence added" in out
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert (
        Transaction.objects.get(ticket=ticket, type="Correspond")
        .attachments.get()
        .content
        == "On it."
    )


def test_link_and_unlink(rt):
    support = Queue.objects.get(name="Support")
    a, b = make_ticket(queue=support), make_ticket(queue=support)
    out = rt("link", str(a.pk), "dependson", str(b.pk)).stdout
    assert f"Created link {a.pk} DependsOn {b.pk}" in out
    assert Link.objects.filter(base=a, target=b, type=LinkType.DEPENDS_ON).exists()
    links = rt("show", f"ticket/{a.pk}/links").stdout
    assert f"DependsOn: fsck.com-rt://tracker/ticket/{b.pk}" in links
    rt("link", "-d", str(a.pk), "dependson", str(b.pk))
    assert not Link.objects.filter(base=a, target=b).exists()


def test_merge(rt):
    support = Queue.objects.get(name="Support")
    a, b = make_ticket(queue=support), make_ticket(queue=support)
    out = rt("merge", str(a.pk), str(b.pk)).stdout
    assert "Merge completed" in out
    a.refresh_from_db()
    assert a.merged_into_id == b.pk


def test_ls_formats(rt):
    if not ticketsql_ready():
        pytest.skip(
            "the TicketSQL engine (tracker.ticketsql.search) has not landed yet"
        )
    support = Queue.objects.get(name="Support")
    one = make_ticket(queue=support, subject="First")
    two = make_ticket(queue=support, subject="Second")
    out = rt("ls", "-s", "Queue = 'Support'").stdout
    assert out.splitlines() == [f"{one.pk}: First", f"{two.pk}: Second"]
    out = rt("ls", "-i", "-o", "-id", "Queue = 'Support'").stdout
    assert out.splitlines() == [f"ticket/{two.pk}", f"ticket/{one.pk}"]
    out = rt("ls", "Queue = 'Support'").stdout
    assert "First" in out
    assert "Second" in out


def test_take_and_untake(rt, staff):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"))
    out = rt("take", str(ticket.pk)).stdout
    assert f"# Ticket {ticket.pk} taken." in out
    ticket.refresh_from_db()
    assert ticket.owner == staff
    rt("untake", str(ticket.pk))
    ticket.refresh_from_db()
    assert ticket.owner.username == "Nobody"


def test_history_and_attachment_content(rt):
    ticket = make_ticket(queue=Queue.objects.get(name="Support"), body="first words")
    short = rt("show", "-s", f"ticket/{ticket.pk}/history").stdout
    assert ": Ticket created by RT_System" in short
    long = rt("show", f"ticket/{ticket.pk}/history").stdout
    assert "===> Ticket created by RT_System on " in long
    attachment = ticket.transactions.get(type="Create").attachments.get()
    content = rt(
        "show", f"ticket/{ticket.pk}/attachments/{attachment.pk}/content"
    ).stdout
    assert content.startswith("first words")


def test_basic_auth_mode(rt):
    rt.env["RTAUTH"] = "basic"
    ticket = make_ticket(queue=Queue.objects.get(name="Support"), subject="Basic")
    out = rt("show", "-f", "subject", f"ticket/{ticket.pk}").stdout
    assert "Subject: Basic" in out
    assert not (rt.home / ".rt_sessions").read_text().strip()
