"""The `mailgate` command in-process, where no subprocess is needed."""

import hashlib
import io
import sys

import pytest
from django.core.management import call_command

from mailgate.models import InboundEmail, InboundStatus
from tests.factories import grant, make_queue
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Group, GroupDomain, Ticket

pytestmark = pytest.mark.django_db


def feed(monkeypatch, raw):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))


def test_in_process_command_reports_stored_message(monkeypatch, capsys):
    feed(monkeypatch, make_mail())
    with pytest.raises(SystemExit) as exit_:
        call_command("mailgate", "--queue", "general")
    assert exit_.value.code == 0
    assert Ticket.objects.count() == 1
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.sha256 == hashlib.sha256(make_mail()).hexdigest()
    assert "2.0.0" in capsys.readouterr().out


def test_in_process_too_large_message_exits_65(monkeypatch, capsys, settings):
    settings.MAILGATE_MAX_MESSAGE_SIZE = 100
    raw = make_mail(body="x" * 500)
    feed(monkeypatch, raw)
    with pytest.raises(SystemExit) as exit_:
        call_command("mailgate")
    assert exit_.value.code == 65
    assert capsys.readouterr().err.startswith("5.3.4")
    assert InboundEmail.objects.count() == 0


def test_replay_option_reruns_a_stored_message(monkeypatch, capsys):
    queue = make_queue("Closed")
    feed(monkeypatch, make_mail())
    with pytest.raises(SystemExit):
        call_command("mailgate", "--queue", "Closed")
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundStatus.REJECTED
    everyone = Group.objects.get(domain=GroupDomain.SYSTEM, name="Everyone")
    grant("CreateTicket", group=everyone, queue=queue)
    with pytest.raises(SystemExit) as exit_:
        call_command("mailgate", "--replay", str(inbound.pk))
    assert exit_.value.code == 0
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
