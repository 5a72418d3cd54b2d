"""The payload set in a real browser: Chromium opens every page that shows it.

An execution is an alert() dialog or a request to a host other than the test server.
The Content-Security-Policy would block inline script even if escaping failed, so a
CSP violation naming one of our tokens is counted too: it means a payload reached the
page as markup, and only the policy stopped it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import log_in
from tests.factories import STAFF_RIGHTS, grant_many, make_staff
from tests.reliability.figures import record
from tests.security import xss
from tracker.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]

PASSWORD = "browser-pass-1"
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push([e.violatedDirective, e.sample || '', e.blockedURI || '']);
});
"""


class Observer:
    def __init__(self, browser_page, live_server) -> None:
        self.page = browser_page
        self.host = urlsplit(live_server.url).netloc
        self.dialogs: list[str] = []
        self.outbound: list[str] = []
        self.violations: list[list[str]] = []
        browser_page.add_init_script(WATCH)
        browser_page.on("dialog", self._dialog)
        browser_page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.host:
            self.outbound.append(request.url)

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(50)  # let autofocus/ontoggle/onload handlers fire
        self.violations += self.page.evaluate("window.__violations")


def _seed():
    from queues.models import Queue

    staff = make_staff(username="browserstaff", password=PASSWORD)
    general = Queue.objects.get(name="General")
    grant_many([*STAFF_RIGHTS, "ShowTicketComments"], user=staff, queue=general)
    from django.test import Client

    web = Client()
    web.force_login(staff)
    tickets = [xss.by_email(t, p) for t, p in xss.payloads("be")]
    tickets += [xss.by_web_form(web, general, t, p) for t, p in xss.payloads("bw")]
    tickets += [xss.by_api(web, general, t, p) for t, p in xss.payloads("ba")]
    return staff, tickets


def _tokens() -> list[str]:
    return [t for prefix in ("be", "bw", "ba") for t, _ in xss.payloads(prefix)]


def test_no_payload_runs_in_the_browser_on_staff_pages(page, live_server):
    staff, tickets = _seed()
    watch = Observer(page, live_server)
    log_in(page, live_server, staff.username, PASSWORD)

    urls = ["/", "/search/?q=id > 0&rows=200"] + [f"/ticket/{t.pk}/" for t in tickets]
    for url in urls:
        watch.visit(live_server.url + url)

    tokens = _tokens()
    hits = [v for v in watch.violations if any(t in " ".join(v) for t in tokens)]
    record("xss", "payloads x sinks (browser)", len(tokens) * len(urls))
    record("xss", "executions (browser)", len(watch.dialogs) + len(watch.outbound))
    record("xss", "payloads stopped only by CSP", len(hits))
    assert watch.dialogs == []
    assert watch.outbound == []
    assert hits == []
    assert watch.violations == []


def test_no_payload_runs_in_the_browser_on_customer_pages(page, live_server):
    _, tickets = _seed()
    watch = Observer(page, live_server)
    customer = tickets[0].watchers.get(role=Role.REQUESTOR).user
    customer.set_password(PASSWORD)
    customer.save()
    mine = [t for t in tickets if t.watchers.filter(role=Role.REQUESTOR, user=customer)]
    log_in(page, live_server, customer.username, PASSWORD)

    for ticket in mine:
        watch.visit(f"{live_server.url}/ticket/{ticket.pk}/")
    watch.visit(f"{live_server.url}/")

    record("xss", "payloads x sinks (browser)", len(mine) + 1)
    record("xss", "executions (browser)", len(watch.dialogs) + len(watch.outbound))
    assert mine
    assert watch.dialogs == []
    assert watch.outbound == []
    assert watch.violations == []
