"""RT's own rt-mailgate program (Debian's rt5-clients) posting to our endpoint, as a
mail server configured for RT would run it."""

import hashlib
import os
import shutil
import subprocess

import pytest

from mailgate.models import InboundEmail
from tests.mailgate.conftest import storage_refused
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Ticket

RT_MAILGATE = shutil.which("rt-mailgate") or "/usr/bin/rt-mailgate"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(RT_MAILGATE),
        reason="rt-mailgate is not installed (apt-get install rt5-clients)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


def rt_mailgate(url, raw, *args, extension=None):
    env = {k: v for k, v in os.environ.items() if k != "EXTENSION"}
    if extension is not None:
        env["EXTENSION"] = extension
    return subprocess.run(  # noqa: S603 - RT's client, fixed arguments
        [RT_MAILGATE, "--url", url, *args],
        input=raw,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_rt_mailgate_delivery_makes_a_ticket(live_server):
    result = rt_mailgate(
        live_server.url, make_mail(), "--queue", "General", "--action", "correspond"
    )
    assert result.returncode == 0, result.stderr.decode()
    ticket = Ticket.objects.get()
    assert ticket.subject == "Printer on fire"


def test_rt_mailgate_keeps_the_message_bytes_exactly(live_server):
    raw = make_mail(body="").replace(b"utf-8", b"iso-8859-1") + b"Caf\xe9\r\n\x00x\n"
    result = rt_mailgate(live_server.url, raw, "--queue", "General")
    assert result.returncode == 0, result.stderr.decode()
    stored = InboundEmail.objects.get()
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()


def test_rt_mailgate_ticket_extension_threads(live_server):
    rt_mailgate(live_server.url, make_mail(), "--queue", "General")
    ticket = Ticket.objects.get()
    reply = make_mail(subject="no tag here", message_id="<m2@c>")
    result = rt_mailgate(
        live_server.url,
        reply,
        "--queue",
        "General",
        "--extension",
        "ticket",
        extension=str(ticket.pk),
    )
    assert result.returncode == 0, result.stderr.decode()
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.filter(ticket_id=ticket.pk).count() == 2


def test_rt_mailgate_comment_action_with_resolve(live_server):
    rt_mailgate(live_server.url, make_mail(), "--queue", "General")
    ticket = Ticket.objects.get()
    reply = make_mail(subject=f"[tracker #{ticket.pk}] done", message_id="<m2@c>")
    result = rt_mailgate(
        live_server.url, reply, "--queue", "General", "--action", "correspond-resolve"
    )
    assert result.returncode == 0, result.stderr.decode()
    assert InboundEmail.objects.get(message_id="<m2@c>").action == "correspond-resolve"


def test_unknown_queue_makes_rt_mailgate_retry_instead_of_dropping(live_server):
    result = rt_mailgate(live_server.url, make_mail(), "--queue", "NoSuchQueue")
    assert result.returncode == 75
    assert not InboundEmail.objects.exists()


def test_database_failure_makes_rt_mailgate_retry_then_one_ticket(live_server):
    raw = make_mail()
    with storage_refused():
        failed = rt_mailgate(live_server.url, raw, "--queue", "General")
    assert failed.returncode == 75
    assert not InboundEmail.objects.exists()
    for _ in range(2):
        assert rt_mailgate(live_server.url, raw, "--queue", "General").returncode == 0
    assert Ticket.objects.count() == 1


def test_redelivery_through_rt_mailgate_makes_one_ticket(live_server):
    for _ in range(2):
        result = rt_mailgate(live_server.url, make_mail(), "--queue", "General")
        assert result.returncode == 0
    assert Ticket.objects.count() == 1
