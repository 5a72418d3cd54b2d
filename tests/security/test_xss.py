"""Stored XSS: the payload set through email, the web form and the API, into every page.

Advisories: RT CVE-2011-2083 (javascript:/data: links, scrubber), CVE-2016-6127 and
CVE-2022-25802 (attachments served inline / sniffed), osTicket CVE-2019-13397 and
CVE-2020-24917 (file names), Zimbra GHSA-3rrv-gxmq-5643 (Content-Location),
sanitizer bypasses via svg/math/xmp/noscript (GHSA-43cp-6p3q-2pc4,
GHSA-rpr9-rxv7-x643). The browser half is in test_xss_browser.py.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import STAFF_RIGHTS, grant_many, make_admin, make_staff
from tests.reliability.figures import record
from tests.security import xss
from tracker.models import Attachment, Role, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.security]

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
EXECUTABLE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}


@pytest.fixture
def staff(db):
    from queues.models import Queue

    user = make_staff(username="xssstaff")
    grant_many(
        [*STAFF_RIGHTS, "ShowTicketComments"],
        user=user,
        queue=Queue.objects.get(name="General"),
    )
    return user


def seed(staff, channel: str) -> list[tuple[str, Ticket]]:
    """Every payload through one channel: [(token, ticket)]."""
    from queues.models import Queue

    general = Queue.objects.get(name="General")
    web = Client()
    web.force_login(staff)
    if channel == "email":
        return [(t, xss.by_email(t, p)) for t, p in xss.payloads("xe")]
    if channel == "web":
        return [(t, xss.by_web_form(web, general, t, p)) for t, p in xss.payloads("xw")]
    return [(t, xss.by_api(web, general, t, p)) for t, p in xss.payloads("xa")]


@pytest.fixture
def seeded(staff) -> dict[str, list[tuple[str, Ticket]]]:
    return {channel: seed(staff, channel) for channel in ("email", "web", "api")}


def _pages(ticket: Ticket) -> list[str]:
    requestor = ticket.watchers.filter(role=Role.REQUESTOR).first()
    pages = [
        f"/ticket/{ticket.pk}/",
        f"/ticket/{ticket.pk}/basics/",
        f"/search/?q=id = {ticket.pk}",
        f"/Ticket/Display.html?id={ticket.pk}",
        f"/admin/tracker/ticket/{ticket.pk}/change/",
    ]
    if requestor is not None and requestor.user_id:
        pages.append(f"/people/{requestor.user_id}/tickets/")
    return pages


def _check_pages(client: Client, tickets, tokens) -> tuple[int, list[str]]:
    problems: list[str] = []
    sinks = 0
    for page in ["/", "/search/?q=id > 0"] + [p for _, t in tickets for p in _pages(t)]:
        response = client.get(page)
        assert response.status_code in (200, 302, 404), (page, response.status_code)
        if "html" not in response.get("Content-Type", ""):
            continue
        sinks += len(tokens)
        for token, where in xss.landings(response.content.decode(), tokens):
            problems.append(f"{page}: {token} runs in {where}")
    return sinks, problems


@pytest.mark.parametrize("channel", ["email", "web", "api"])
def test_no_payload_lands_executable_in_staff_pages(staff, channel):
    tickets = seed(staff, channel)
    client = Client()
    client.force_login(make_admin(username=f"xssadmin{channel}"))
    tokens = [token for token, _ in tickets]

    sinks, problems = _check_pages(client, tickets, tokens)

    record("xss", "payloads x sinks (responses)", sinks)
    record("xss", "executions (responses)", len(problems))
    assert sinks > 0
    assert problems == []


def test_no_payload_lands_executable_in_customer_pages(staff):
    problems: list[str] = []
    sinks = 0
    for token, ticket in seed(staff, "email"):
        customer = ticket.watchers.get(role=Role.REQUESTOR).user
        client = Client()
        client.force_login(customer)
        for page in ("/", f"/ticket/{ticket.pk}/"):
            response = client.get(page)
            assert response.status_code == 200
            sinks += 1
            problems += [
                f"{page}: {hit}"
                for hit in xss.landings(response.content.decode(), [token])
            ]

    record("xss", "payloads x sinks (responses)", sinks)
    record("xss", "executions (responses)", len(problems))
    assert problems == []


def test_api_answers_are_json_and_rest1_answers_are_plain_text(staff):
    ticket = xss.by_email("xj0", xss.PAYLOADS[0].format(t="xj0"))
    client = Client()
    client.force_login(staff)

    rest2 = client.get(f"/REST/2.0/ticket/{ticket.pk}/history")
    rest1 = client.get(f"/REST/1.0/ticket/{ticket.pk}/show")

    assert rest2["Content-Type"].startswith("application/json")
    assert rest1["Content-Type"].startswith("text/plain")
    assert rest2["X-Content-Type-Options"] == "nosniff"


def test_cve_2016_6127_attachments_are_downloads_never_executable_inline(seeded, staff):
    client = Client()
    client.force_login(staff)
    problems: list[str] = []
    checked = 0
    for channel in seeded.values():
        for _, ticket in channel:
            for att in Attachment.objects.filter(transaction__ticket=ticket).exclude(
                content_type__startswith="multipart/"
            ):
                url = f"/ticket/{ticket.pk}/attachment/{att.pk}/"
                response = client.get(url)
                if response.status_code != 200:
                    continue
                checked += 1
                served = response["Content-Type"].split(";")[0].strip().lower()
                disposition = response.get("Content-Disposition", "")
                if not disposition.startswith("attachment") and served not in (
                    INLINE_TYPES
                ):
                    problems.append(f"{url} inline as {served}")
                if served in EXECUTABLE_TYPES:
                    problems.append(f"{url} served as {served}")
                if response.get("X-Content-Type-Options") != "nosniff":
                    problems.append(f"{url} without nosniff")
                if "sandbox" not in response.get("Content-Security-Policy", ""):
                    problems.append(f"{url} without a sandboxing CSP")
                if "\n" in disposition or "\r" in disposition:
                    problems.append(f"{url} header split in Content-Disposition")

    record("xss", "attachments checked", checked)
    assert checked >= len(xss.PAYLOADS) * 3
    assert problems == []


def test_cve_2022_25802_sniffable_attachments_carry_nosniff(staff):
    ticket = xss.by_email("sniff", "<html><script>alert('sniff')</script></html>")
    client = Client()
    client.force_login(staff)
    att = (
        Attachment.objects.filter(transaction__ticket=ticket)
        .exclude(filename="")
        .first()
    )

    response = client.get(f"/ticket/{ticket.pk}/attachment/{att.pk}/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_every_html_page_carries_a_restrictive_csp(world):
    from tests.security.routes import targets
    from tests.security.test_access_matrix import client_for

    missing: list[str] = []
    pages = 0
    for role in ("anonymous", "customer_a", "admin"):
        client = client_for(world, role)
        for target in targets(world):
            response = client.get(target.url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            policy = response.get("Content-Security-Policy", "")
            directives = dict(
                [*part.strip().split(" ", 1), ""][:2]
                for part in policy.split(";")
                if part.strip()
            )
            script = directives.get("script-src", directives.get("default-src", ""))
            docs = target.url.startswith(("/REST/2.0/docs/", "/REST/2.0/redoc/"))
            if not policy or "*" in script.split() or "'unsafe-eval'" in script:
                missing.append(f"{role} {target.url}: {policy!r}")
            elif "'unsafe-inline'" in script and not docs:
                missing.append(f"{role} {target.url}: inline script allowed")
            elif "frame-ancestors 'none'" not in policy and "sandbox" not in policy:
                missing.append(f"{role} {target.url}: may be framed")

    record("xss", "html pages with CSP checked", pages)
    assert pages > 50
    assert missing == []
