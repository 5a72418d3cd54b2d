"""Bounces and auto-replies are recorded but never answered: the stock scrips run
(eagerly, as without a broker) after each real commit, and the outgoing mail (the
outbox rows the scrips write, and the mail actually sent) is checked."""

import pytest
from django.core import mail

from mailgate.parsing import parse_message
from mailgate.services import ingest
from scrips.models import Notification
from tests.mailgate.mailbuilders import make_mail
from tests.mailgate.test_corpus import corpus_files, needs_corpus
from tracker.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _scrips_on(settings):
    settings.SCRIPS_RUN_ON_COMMIT = True
    settings.DEFAULT_FROM_EMAIL = "tracker@tracker.example"


def outgoing_to(address):
    """Outbox rows and sent mail with `address` among the recipients."""
    address = address.lower()
    rows = [
        n
        for n in Notification.objects.all()
        if address in [a.lower() for a in (*n.to, *n.cc, *n.bcc)]
    ]
    sent = [m for m in mail.outbox if address in [r.lower() for r in m.recipients()]]
    return rows + sent


def test_human_message_gets_the_autoreply():
    ingest(raw=make_mail(), queue="General")
    rows = [n for n in Notification.objects.all() if "alice@customer.example" in n.to]
    assert [n.headers.get("Auto-Submitted") for n in rows] == ["auto-replied"]


def test_auto_reply_is_recorded_but_not_answered():
    raw = make_mail(subject="Out of office", extra="Auto-Submitted: auto-replied")
    result = ingest(raw=raw, queue="General")
    assert Ticket.objects.filter(pk=result.ticket_id).exists()
    assert outgoing_to("alice@customer.example") == []


@needs_corpus
def test_no_bounce_or_auto_reply_of_the_corpus_is_answered():
    answered, checked = [], 0
    for path in corpus_files():
        raw = path.read_bytes()
        parsed = parse_message(raw)
        if not (parsed.is_usable and parsed.is_auto_generated):
            continue
        checked += 1
        ingest(raw=raw, queue="General")
        if outgoing_to(parsed.sender):
            answered.append((str(path), parsed.sender))
    assert checked >= 60
    assert answered == []
