"""LMTP delivery with a real client (smtplib.LMTP) against the listener on loopback."""

import smtplib
import socket
import subprocess
import sys
import time

import pytest

from mailgate.lmtp import make_controller
from mailgate.models import InboundEmail, InboundStatus
from queues.models import Queue
from tests.factories import grant, make_queue
from tests.mailgate.conftest import ROOT, gateway_env
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Group, GroupDomain, Ticket, TransactionType


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def listener():
    port = free_port()
    controller = make_controller("127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def queues():
    general = Queue.objects.get(name="General")
    general.correspond_address = "support@tracker.example"
    general.comment_address = "support-comment@tracker.example"
    general.save()
    security = make_queue(
        "Security",
        correspond_address="security@tracker.example",
        comment_address="security-comment@tracker.example",
    )
    everyone = Group.objects.get(domain=GroupDomain.SYSTEM, name="Everyone")
    grant("CreateTicket", group=everyone, queue=security)
    return general, security


def send(port, recipients, raw, sender="alice@customer.example"):
    """Returns (rcpt replies, data replies) the way an MTA sees them."""
    with smtplib.LMTP("127.0.0.1", port) as lmtp:
        lmtp.ehlo("mx.test")
        lmtp.mail(sender)
        rcpt = {r: lmtp.rcpt(r) for r in recipients}
        accepted = [r for r, (code, _) in rcpt.items() if code == 250]
        data = {}
        if accepted:
            data[accepted[0]] = lmtp.data(raw)
            for recipient in accepted[1:]:
                data[recipient] = lmtp.getreply()
    return rcpt, data


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_lmtp_delivery_answers_250_per_recipient_after_commit(listener, queues):
    rcpt, data = send(
        listener, ["support@tracker.example", "security@tracker.example"], make_mail()
    )
    assert [code for code, _ in rcpt.values()] == [250, 250]
    assert [code for code, _ in data.values()] == [250, 250]
    assert Ticket.objects.count() == 2
    assert set(InboundEmail.objects.values_list("interface", flat=True)) == {"lmtp"}


def test_unknown_recipient_gets_550_and_others_still_deliver(listener, queues):
    rcpt, data = send(
        listener, ["nobody@tracker.example", "support@tracker.example"], make_mail()
    )
    assert rcpt["nobody@tracker.example"][0] == 550
    assert data["support@tracker.example"][0] == 250
    assert Ticket.objects.count() == 1


def test_comment_address_makes_a_comment(listener, queues):
    send(listener, ["support@tracker.example"], make_mail())
    ticket = Ticket.objects.get()
    reply = make_mail(subject=f"[tracker #{ticket.pk}] note", message_id="<n@c>")
    send(listener, ["support-comment@tracker.example"], reply)
    inbound = InboundEmail.objects.get(message_id="<n@c>")
    assert inbound.action == "comment"
    assert inbound.status == InboundStatus.REJECTED  # a customer may not comment
    assert not ticket.transactions.filter(type=TransactionType.COMMENT).exists()


def test_plus_ticket_extension_threads(listener, queues):
    send(listener, ["support@tracker.example"], make_mail())
    ticket = Ticket.objects.get()
    reply = make_mail(subject="untagged", message_id="<n@c>")
    _, data = send(listener, [f"support+{ticket.pk}@tracker.example"], reply)
    assert next(iter(data.values()))[0] == 250
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.get(message_id="<n@c>").ticket_id == ticket.pk


def test_redelivery_over_lmtp_makes_one_ticket(listener, queues):
    send(listener, ["support@tracker.example"], make_mail())
    _, data = send(listener, ["support@tracker.example"], make_mail())
    assert next(iter(data.values()))[0] == 250
    assert Ticket.objects.count() == 1


def _wait_for_port(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("LMTP listener did not start")


@pytest.mark.django_db(transaction=False)
def test_database_down_gives_451_so_the_mail_server_retries(tmp_path):
    port = free_port()
    env = gateway_env("postgres://nobody@127.0.0.1:9/none", tmp_path)
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "mailgate_lmtp", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        rcpt, data = send(port, ["support@tracker.example"], make_mail())
        assert rcpt["support@tracker.example"][0] == 451
        assert data == {}
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
