"""CR/LF in names, addresses and subjects never become extra headers or recipients in
the mail the tracker sends (RT CVE-2012-4730, CVE-2013-3373; osTicket 2021 recipient
injection via the user's name; Python CVE-2024-6923)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.core import mail

from mailgate.services import ingest
from tests.factories import make_ticket, make_user
from tests.mailgate.mailbuilders import make_mail
from tests.reliability.figures import record
from tracker.errors import ValidationFailed
from tracker.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.security]

SEPARATORS = ["\n", "\r\n", "\r", "\r\n\r\n"]


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TRACKER_RTNAME = "tracker"
    settings.TRACKER_MAIL_DOMAIN = "tracker.example"


def sent_messages():
    return [
        message_from_bytes(m.message().as_bytes(), policy=policy.default)
        for m in mail.outbox
    ]


def injected(messages) -> list[str]:
    problems = []
    for message in messages:
        names = {name.lower() for name in message}
        if names & {"evil", "x-injected"}:
            problems.append(f"extra header in {message['Subject']!r}")
        if message["Bcc"]:
            problems.append(f"Bcc present: {message['Bcc']}")
        recipients = " ".join(str(message.get(h, "")) for h in ("To", "Cc", "Bcc"))
        if "evil.example" in recipients:
            problems.append(f"attacker recipient: {recipients}")
        body = message.get_body(("plain", "html"))
        lines = body.get_content().splitlines() if body is not None else []
        # The subject may be quoted in the text as data; what must not happen is the
        # attacker's text starting its own line, as if headers had been ended early.
        if any(line.startswith(("Malicious", "Evil:", "Bcc:")) for line in lines):
            problems.append("attacker text became the body")
    return problems


@pytest.mark.parametrize("sep", SEPARATORS)
def test_cve_2013_3373_subject_line_breaks_never_split_headers(
    sep, django_capture_on_commit_callbacks
):
    subject = f"Printer{sep}Bcc: victim@evil.example{sep}Evil: yes{sep}{sep}Malicious"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(subject=subject, requestors=["reporter@customer.example"])

    messages = sent_messages()
    record("header-injection", "messages checked", len(messages))
    record("header-injection", "injections", len(injected(messages)))
    assert "\n" not in ticket.subject
    assert "\r" not in ticket.subject
    assert messages, "the autoreply should have been sent"
    assert injected(messages) == []


def test_cve_2012_4730_address_with_line_breaks_is_refused(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationFailed),
    ):
        make_ticket(
            subject="Hello",
            requestors=["foo@example.com\nEvil: yes\n\nMalicious"],
        )

    assert mail.outbox == []
    assert not User.objects.filter(email__contains="Evil").exists()


def test_real_name_with_line_breaks_never_adds_recipients(
    django_capture_on_commit_callbacks,
):
    user = make_user(
        username="nameinject",
        email="named@customer.example",
        real_name="Bob\r\nBcc: victim@evil.example\r\nEvil: yes",
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(subject="Name test", requestors=[user])

    messages = sent_messages()
    assert messages
    assert injected(messages) == []


def test_encoded_word_line_breaks_in_an_inbound_subject_stay_data(
    django_capture_on_commit_callbacks,
):
    raw = make_mail(
        sender="Carol <carol@customer.example>",
        subject="=?utf-8?q?Help=0D=0ABcc:_victim@evil.example=0D=0AEvil:_yes?=",
        message_id="<encoded@customer.example>",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(raw=raw, queue="General")

    assert result.ticket_id
    messages = sent_messages()
    assert messages
    assert injected(messages) == []
