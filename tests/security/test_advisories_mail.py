"""Regression tests named after mail-side advisories (../shared/reliability-security.md
A.1, A.5) that no broader test in tests/security covers.

Not applicable here: RT CVE-2011-4458 (no sendmail pipe; mail leaves over SMTP only).
"""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from mailgate.models import InboundStatus
from mailgate.parsing import parse_message
from mailgate.services import ingest
from scrips.rendering import TemplateError, render_template
from tests.mailgate.mailbuilders import make_mail
from tests.security.test_access_matrix import client_for
from tracker.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.security]


def _utf32_storm() -> bytes:
    # RT's reproduction: a utf-32LE body of 100 base64 lines of FFFF.
    body = "\r\n".join(["//79//79//79//79//79//79//79//79//79//79"] * 100)
    return (
        "From: a@customer.example\r\nTo: support@tracker.example\r\n"
        "Subject: storm\r\nMessage-ID: <utf32@customer.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-32LE"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n"
    ).encode()


def test_cve_2014_9472_a_utf32_body_of_invalid_code_points_is_decoded_quickly(caplog):
    started = time.process_time()

    parsed = parse_message(_utf32_storm())
    result = ingest(raw=_utf32_storm(), queue="General")

    assert time.process_time() - started < 5
    assert parsed.verdict == "ok"
    assert result.status == InboundStatus.PROCESSED
    assert len(caplog.records) < 20  # no warning per character


@pytest.mark.parametrize("depth", [200, 1000, 5000])
def test_cve_2014_1474_and_cve_2015_7686_nested_address_comments_never_break_the_gateway(
    depth,
):
    nested = "(" * depth + "x" + ")" * depth
    raw = make_mail(
        sender=f"{nested} <alice@customer.example>",
        to=f"support@tracker.example {nested}",
        message_id=f"<nested{depth}@customer.example>",
    )
    started = time.process_time()

    parsed = parse_message(raw)
    result = ingest(raw=raw, queue="General")

    assert time.process_time() - started < 10
    assert parsed.verdict in ("ok", "unparseable")
    assert result.status != InboundStatus.FAILED


def test_zimbra_cve_2018_6882_a_content_location_header_is_never_a_link(db):
    raw = (
        b"From: Alice <alice@customer.example>\r\nTo: support@tracker.example\r\n"
        b"Subject: location probe\r\nMessage-ID: <loc@customer.example>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b"--b\r\nContent-Type: text/html\r\n"
        b"Content-Location: javascript:alert('locprobe')\r\n"
        b'Content-Disposition: attachment; filename="page.html"\r\n\r\n'
        b"<p>hi</p>\r\n--b--\r\n"
    )
    result = ingest(raw=raw, queue="General")
    from tests.factories import make_admin

    admin = make_admin(username="locadmin")
    client = Client()
    client.force_login(admin)

    html = client.get(f"/ticket/{result.ticket_id}/").text

    assert Ticket.objects.filter(pk=result.ticket_id).exists()
    assert 'href="javascript:' not in html
    assert "locprobe" not in "".join(re.findall(r'(?:href|src)="([^"]*)"', html))


@pytest.mark.parametrize(
    "source",
    [
        "{{ ticket.subject.__class__.__mro__ }}",
        "{% load static %}{% get_static_prefix %}",
        "{% include '/etc/passwd' %}",
        "{% debug %}",
    ],
)
def test_cve_2011_5093_a_scrip_template_cannot_run_code(source):
    with pytest.raises(TemplateError):
        render_template("Subject: probe\n\n" + source, {"ticket": {"subject": "s"}})


def test_rt_2023_the_mail_gateway_answer_carries_no_processing_details(world):
    from mailgate.client import encode_multipart

    body, content_type = encode_multipart(
        {"queue": "Vault", "action": "correspond", "message": make_mail()}
    )

    response = Client().generic(
        "POST", "/REST/1.0/NoAuth/mail-gateway", body, content_type=content_type
    )
    text = response.content.decode()

    assert text.startswith(("ok", "not ok"))
    assert "Traceback" not in text
    assert ".py" not in text
    assert (
        client_for(world, "anonymous").get("/REST/1.0/NoAuth/mail-gateway").status_code
        == 405
    )
