"""Mailbox polling against a real dovecot (IMAP and POP3) on loopback."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from mailgate.models import AfterStore, InboundEmail, Mailbox, MailboxSecurity
from mailgate.polling import poll_due_mailboxes, poll_mailbox
from mailgate.tasks import poll_mailboxes_task
from queues.models import Queue
from tests.factories import make_admin
from tests.mailgate.conftest import storage_refused
from tests.mailgate.dovecot import PASSWORD, USER, dovecot_available, start_dovecot
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Ticket

pytestmark = [
    pytest.mark.skipif(
        not dovecot_available(),
        reason="dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def dovecot():
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def server(dovecot):
    dovecot.empty()
    return dovecot


def make_mailbox(server, protocol="imap", **overrides):
    fields = {
        "name": f"support-{protocol}",
        "queue": Queue.objects.get(name="General"),
        "protocol": protocol,
        "security": MailboxSecurity.NONE,
        "host": "127.0.0.1",
        "port": server.imap_port if protocol == "imap" else server.pop3_port,
        "username": USER,
        "password": PASSWORD,
    }
    fields.update(overrides)
    return Mailbox.objects.create(**fields)


def test_imap_poll_stores_each_message_then_deletes_it(server):
    server.append(make_mail(message_id="<a@c>"))
    server.append(make_mail(subject="Second", message_id="<b@c>"))
    result = poll_mailbox(make_mailbox(server))
    assert result.ok, result.errors
    assert result.stored == 2
    assert Ticket.objects.count() == 2
    assert set(InboundEmail.objects.values_list("interface", flat=True)) == {"imap"}
    assert server.messages() == []


def test_imap_poll_can_move_stored_messages_to_a_folder(server):
    server.append(make_mail())
    server.create_folder("Processed")
    mailbox = make_mailbox(server, after_store=AfterStore.MOVE, move_to="Processed")
    assert poll_mailbox(mailbox).stored == 1
    assert server.messages() == []
    assert [b"Printer on fire" in m for m in server.messages("Processed")] == [True]


def test_pop3_poll_stores_each_message_then_deletes_it(server):
    server.append(make_mail(message_id="<a@c>"))
    server.append(make_mail(subject="Second", message_id="<b@c>"))
    result = poll_mailbox(make_mailbox(server, "pop3"))
    assert result.ok, result.errors
    assert result.stored == 2
    assert Ticket.objects.count() == 2
    assert server.messages() == []


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_message_that_cannot_be_stored_stays_on_the_server(server, protocol):
    server.append(make_mail())
    mailbox = make_mailbox(server, protocol)
    with storage_refused():
        result = poll_mailbox(mailbox)
    assert not result.ok
    assert "could not store" in result.errors[0]
    assert not InboundEmail.objects.exists()
    assert len(server.messages()) == 1
    mailbox.refresh_from_db()
    assert "could not store" in mailbox.last_error


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_message_left_behind_is_stored_once_on_the_next_poll(server, protocol):
    server.append(make_mail())
    mailbox = make_mailbox(server, protocol)
    with storage_refused():
        poll_mailbox(mailbox)
    result = poll_mailbox(mailbox)
    assert result.ok, result.errors
    assert Ticket.objects.count() == 1
    assert server.messages() == []
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_stored_messages_before_a_failure_are_removed_and_later_ones_kept(server):
    server.append(make_mail(message_id="<a@c>"))
    server.append(make_mail(subject="Second", message_id="<b@c>"))
    mailbox = make_mailbox(server, "pop3", batch_size=1)
    assert poll_mailbox(mailbox).stored == 1
    with storage_refused():
        assert not poll_mailbox(mailbox).ok
    remaining = server.messages()
    assert len(remaining) == 1
    assert b"<b@c>" in remaining[0]


def test_same_message_fetched_twice_makes_one_ticket(server):
    server.append(make_mail())
    server.append(make_mail())
    result = poll_mailbox(make_mailbox(server))
    assert (result.stored, result.duplicates) == (1, 1)
    assert Ticket.objects.count() == 1
    assert server.messages() == []


def test_wrong_password_is_reported_and_nothing_is_removed(server):
    server.append(make_mail())
    result = poll_mailbox(make_mailbox(server, password="wrong"))
    assert "login failed" in result.errors[0]
    assert len(server.messages()) == 1


def test_beat_task_polls_only_mailboxes_that_are_due(server):
    server.append(make_mail())
    make_mailbox(server)
    poll_mailboxes_task.delay()
    assert Ticket.objects.count() == 1
    server.append(make_mail(subject="Later", message_id="<later@c>"))
    assert poll_due_mailboxes() == []  # polled less than a minute ago
    assert len(server.messages()) == 1
    assert [r.stored for r in poll_due_mailboxes(force=True)] == [1]


def test_inactive_mailbox_is_not_polled(server):
    server.append(make_mail())
    make_mailbox(server, is_active=False)
    assert poll_due_mailboxes(force=True) == []
    assert len(server.messages()) == 1


def test_poll_command_reports_each_mailbox(server, capsys):
    server.append(make_mail())
    make_mailbox(server)
    call_command("mailgate_poll", "--mailbox", "support-imap")
    assert "1 stored" in capsys.readouterr().out
    assert Ticket.objects.count() == 1


def test_poll_command_fails_when_a_mailbox_cannot_be_read(server):
    make_mailbox(server, password="wrong")
    with pytest.raises(CommandError):
        call_command("mailgate_poll", "--force")


def test_admin_keeps_the_password_as_given(server, client, settings):
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("admin:mailgate_mailbox_add"),
        {
            "name": "sales",
            "queue": Queue.objects.get(name="General").pk,
            "action": "correspond",
            "protocol": "imap",
            "security": "none",
            "host": "127.0.0.1",
            "port": server.imap_port,
            "username": USER,
            "password": PASSWORD,
            "folder": "INBOX",
            "after_store": "delete",
            "move_to": "",
            "batch_size": 100,
            "every_minutes": 1,
            "timeout": 60,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get(name="sales")
    assert mailbox.password == PASSWORD
    server.append(make_mail())
    assert poll_mailbox(mailbox).stored == 1


def test_admin_refuses_an_invalid_action(server, client, settings):
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("admin:mailgate_mailbox_add"),
        {
            "name": "x",
            "queue": Queue.objects.get(name="General").pk,
            "action": "frobnicate",
            "protocol": "imap",
            "security": "none",
            "host": "h",
            "username": "u",
            "folder": "INBOX",
            "after_store": "delete",
            "batch_size": 1,
            "every_minutes": 1,
            "timeout": 5,
        },
    )
    assert response.status_code == 200
    assert "unknown action" in response.content.decode()
    assert not Mailbox.objects.exists()
