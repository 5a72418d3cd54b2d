"""`manage.py mailgate --maildir DIR` and `--mbox FILE`: many messages, one process, one
summary line, exit 75 while any message could not be stored."""

from __future__ import annotations

import mailbox

import pytest
from django.core.management import call_command

from mailgate.models import InboundEmail, InboundStatus
from tests.mailgate.conftest import storage_refused
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Ticket

pytestmark = pytest.mark.django_db

JUNK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4


def run(*args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("mailgate", *args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out.strip(), err.strip()


def message(number):
    return make_mail(
        subject=f"Batch {number}", message_id=f"<batch-{number}@customer.example>"
    )


def make_maildir(root, new=(), cur=()):
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for number, raw in enumerate(new):
        (root / "new" / f"100{number}.M1P1.host").write_bytes(raw)
    for number, raw in enumerate(cur):
        (root / "cur" / f"200{number}.M1P1.host:2,S").write_bytes(raw)
    return root


def test_maildir_messages_become_tickets_and_move_to_done(tmp_path, capsys):
    root = make_maildir(
        tmp_path / "Maildir", new=[message(1), message(2)], cur=[message(3)]
    )
    code, out, _ = run("--maildir", str(root), "--queue", "General", capsys=capsys)
    assert code == 0
    assert out == (
        "2.0.0 batch: 3 stored, 0 duplicates, 0 quarantined, 0 refused, 0 failed"
    )
    assert Ticket.objects.count() == 3
    assert not list((root / "new").iterdir())
    assert not list((root / "cur").iterdir())
    assert len(list((root / ".done" / "cur").iterdir())) == 3


def test_maildir_rerun_of_stored_messages_makes_no_new_ticket(tmp_path, capsys):
    raws = [message(1), message(2)]
    root = make_maildir(tmp_path / "Maildir", new=raws)
    run("--maildir", str(root), capsys=capsys)
    make_maildir(root, new=raws)  # the same messages delivered again
    code, out, _ = run("--maildir", str(root), capsys=capsys)
    assert code == 0
    assert "0 stored, 2 duplicates" in out
    assert Ticket.objects.count() == 2


def test_unusable_message_is_quarantined_and_counted(tmp_path, capsys):
    root = make_maildir(tmp_path / "Maildir", new=[message(1), JUNK])
    code, out, _ = run("--maildir", str(root), capsys=capsys)
    assert code == 0
    assert "1 stored, 0 duplicates, 1 quarantined" in out
    assert InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count() == 1


def test_too_large_message_is_refused_and_left_in_place(tmp_path, capsys, settings):
    settings.MAILGATE_MAX_MESSAGE_SIZE = 400
    big = make_mail(body="x" * 500, message_id="<big@customer.example>")
    root = make_maildir(tmp_path / "Maildir", new=[message(1), big])
    code, out, err = run("--maildir", str(root), capsys=capsys)
    assert code == 0
    assert "1 stored, 0 duplicates, 0 quarantined, 1 refused, 0 failed" in out
    assert "5.3.4" in err
    assert [p.read_bytes() for p in (root / "new").iterdir()] == [big]


def test_messages_that_cannot_be_stored_exit_75_and_stay(tmp_path, capsys):
    root = make_maildir(tmp_path / "Maildir", new=[message(1), message(2)])
    with storage_refused():
        code, _, err = run("--maildir", str(root), capsys=capsys)
    assert code == 75
    assert err.splitlines()[-1].startswith("4.3.0 batch incomplete")
    assert "0 stored" in err
    assert "2 failed" in err
    assert len(list((root / "new").iterdir())) == 2
    assert not InboundEmail.objects.exists()


def test_unknown_queue_refuses_the_whole_batch_with_67(tmp_path, capsys):
    root = make_maildir(tmp_path / "Maildir", new=[message(1)])
    code, _, err = run("--maildir", str(root), "--queue", "Nope", capsys=capsys)
    assert code == 67
    assert err.startswith("5.1.1")
    assert len(list((root / "new").iterdir())) == 1


def test_mbox_messages_become_tickets_and_a_rerun_finds_duplicates(tmp_path, capsys):
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    for number in range(3):
        box.add(message(number))
    box.close()
    code, out, _ = run("--mbox", str(path), "--action", "comment", capsys=capsys)
    assert code == 0
    assert "3 stored, 0 duplicates" in out
    assert Ticket.objects.count() == 3
    code, out, _ = run("--mbox", str(path), "--action", "comment", capsys=capsys)
    assert code == 0
    assert "0 stored, 3 duplicates" in out
    assert Ticket.objects.count() == 3


def test_batch_groups_commit_every_message_of_a_long_maildir(tmp_path, capsys):
    from mailgate.batch import GROUP_SIZE

    count = GROUP_SIZE + 3
    root = make_maildir(tmp_path / "Maildir", new=[message(n) for n in range(count)])
    code, out, _ = run("--maildir", str(root), capsys=capsys)
    assert code == 0
    assert out.startswith(f"2.0.0 batch: {count} stored")
    assert InboundEmail.objects.filter(interface="maildir").count() == count
