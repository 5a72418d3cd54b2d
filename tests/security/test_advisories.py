"""Regression tests named after advisories not covered by a broader test elsewhere in
tests/security (see ../shared/reliability-security.md, section A). Mail-side
advisories are in test_advisories_mail.py.

Which advisory is tested where (the rest of A.1-A.5):
- RT 2011 TicketSQL private fields: test_ticketsql_acl.py; 2012-4730, 2013-3373:
  test_header_injection.py; 2012-4732: test_web_auth.py; 2012-4735, 2023-41259,
  Zendesk 2024, GitLab #1433607: test_mail_spoofing.py; 2016-6127, 2022-25802,
  helpdesk 2021-3945/3950/3994 and 2026-08, Zammad 2018-1000154, osTicket
  2019-13397/2020-24917: test_xss.py and test_xss_browser.py (every payload in every
  sink, attachments as downloads); 2021-38562, 2022-25803, Django 2016-2512,
  2012-4520, osTicket 2021/2022: test_web_auth.py and reliability/test_login_timing.py;
  2023-45024: test_access_matrix.py; Zammad 2022-40816 (a second path that skips the
  ACL): test_access_matrix.py requests every route.
- Not applicable: RT 2012-4731 (no articles), 2014-7227 (no S/MIME or shell),
  osTicket 2026-22200 (no PDF export), Zammad 2026-84458 (no SSO).
"""

from __future__ import annotations

import re
import stat

import pytest
from django.test import Client

from tests.factories import grant_many, make_staff, make_user
from tests.security import xss
from tests.security.conftest import PASSWORD
from tests.security.test_access_matrix import client_for, leaks_in
from tracker.models import Link, Ticket, Transaction

pytestmark = [pytest.mark.django_db, pytest.mark.security]


def test_cve_2011_2083_javascript_and_data_links_are_not_clickable(world):
    ticket = xss.by_api(
        client_for(world, "staff_with_rights"),
        world.general,
        "linkprobe",
        "<a href=\"javascript:alert('linkprobe')\">a</a>"
        '<a href="data:text/html,linkprobe">b</a>'
        '<a href="vbscript:linkprobe">c</a>',
    )
    client = client_for(world, "admin")

    html = client.get(f"/ticket/{ticket.pk}/").content.decode()

    assert xss.landings(html, ["linkprobe"]) == set()


def test_cve_2011_2084_an_attachment_of_another_ticket_is_not_served_through_mine(
    world,
):
    from tests.security.routes import _file_attachment

    client = client_for(world, "customer_a")
    foreign = _file_attachment(world.tb.pk)

    response = client.get(f"/ticket/{world.ta.pk}/attachment/{foreign}/")
    api = client.get(f"/REST/2.0/attachment/{foreign}")

    assert response.status_code == 404
    assert api.status_code == 404
    assert not leaks_in(response, world.tb.all_markers)
    assert not leaks_in(api, world.tb.all_markers)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "99999999999999999999"},
        {"per_page": "99999999999999999999"},
        {"page": "-5", "per_page": "-1"},
        {"page": "1e9"},
        {"per_page": "abc"},
    ],
)
def test_cve_2011_4460_paging_parameters_are_bounded(world, params):
    client = client_for(world, "staff_with_rights")

    api = client.get("/REST/2.0/tickets", {"query": "id > 0", **params})
    web = client.get(
        "/search/",
        {"q": "id > 0", "rows": params.get("per_page", "50"), **params},
    )

    assert api.status_code in (200, 400)
    assert web.status_code in (200, 400)


def test_rt_2015_1464_api_token_does_not_become_a_browser_session(world):
    client = Client(HTTP_AUTHORIZATION=f"token {world.token_secret_a}")
    client.get("/REST/2.0/tickets", {"query": "id > 0"})

    browser = Client()
    browser.cookies = client.cookies

    assert browser.get("/").status_code == 302  # still sent to the login page


def _history(ticket) -> tuple[int, str, int | None]:
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        Transaction.objects.filter(ticket_id=ticket.pk).count(),
        ticket.status,
        ticket.owner_id,
    )


def test_cve_2011_2085_and_cve_2012_4734_a_get_with_action_parameters_changes_nothing(
    world,
):
    client = client_for(world, "staff_with_rights")
    before = _history(world.ta.ticket)
    pk = world.ta.pk

    for url in (
        f"/ticket/{pk}/?Action=Take&owner_action=take&status=resolved",
        f"/ticket/{pk}/action/?owner_action=take",
        f"/ticket/{pk}/update/?status=resolved&content=Done",
        f"/Ticket/Display.html?id={pk}&Action=Take&Status=resolved",
        f"/search/bulk/?ids={pk}&status=resolved",
    ):
        client.get(url)

    assert _history(world.ta.ticket) == before


def test_cve_2012_4733_a_status_in_other_case_is_no_way_around_the_rules(world):
    client = client_for(world, "staff_with_rights")
    before = _history(world.ta.ticket)

    for status in ("DELETED", "Deleted", "deleted"):
        client.put(
            f"/REST/2.0/ticket/{world.ta.pk}",
            {"Status": status},
            content_type="application/json",
        )

    assert _history(world.ta.ticket) == before


_TOKEN_IN_URL = re.compile(r"""(?:href|src|action)=["'][^"']*csrfmiddlewaretoken""")


def test_cve_2017_5943_the_csrf_token_never_appears_in_a_url(world):
    client = client_for(world, "staff_with_rights")
    pages = [
        "/",
        f"/ticket/{world.ta.pk}/",
        "/search/?q=id%20%3E%200",
        "/preferences/",
        "/dashboards/",
    ]

    found = {url for url in pages if _TOKEN_IN_URL.search(client.get(url).text)}

    assert found == set()


def test_cve_2018_25111_stored_attachments_are_not_world_writable(world, settings):
    from pathlib import Path

    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]

    writable = [p for p in files if p.stat().st_mode & stat.S_IWOTH]

    assert writable == []


def test_helpdesk_2018_a_ticket_id_and_requestor_email_open_nothing(world):
    response = Client().get(
        f"/ticket/{world.ta.pk}/", {"email": "mkcustaemail@example.net"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not leaks_in(response, world.ta.all_markers)


def test_helpdesk_2023_anonymous_update_is_sent_to_login_and_changes_nothing(world):
    before = _history(world.ta.ticket)

    response = Client().post(
        f"/ticket/{world.ta.pk}/update/", {"content": "Hi", "status": "resolved"}
    )

    assert response.status_code in (302, 403)
    assert _history(world.ta.ticket) == before


def test_helpdesk_2026_04_staff_without_rights_on_a_queue_see_none_of_its_tickets(
    world,
):
    client = client_for(world, "staff_no_rights")  # rights on Vault only

    page = client.get(f"/ticket/{world.ta.pk}/")
    search = client.get("/search/", {"q": "id > 0"})
    api = client.get("/REST/2.0/tickets", {"query": "id > 0"})

    assert page.status_code == 404
    assert not leaks_in(search, world.ta.all_markers | world.tb.all_markers)
    assert not leaks_in(api, world.ta.all_markers | world.tb.all_markers)


def test_zammad_ghsa_7f39_the_api_answers_no_cross_origin_request(world):
    client = client_for(world, "staff_with_rights")

    response = client.get(
        "/REST/2.0/tickets",
        {"query": "id > 0"},
        HTTP_ORIGIN="https://evil.example",
    )
    preflight = client.options(
        "/REST/2.0/tickets",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_zammad_2022_40817_a_read_only_agent_cannot_add_links(world):
    reader = make_staff(username="reader", password=PASSWORD)
    grant_many(["SeeQueue", "ShowTicket"], user=reader, queue=world.general)
    client = Client()
    client.force_login(reader)

    client.post(
        f"/ticket/{world.ta.pk}/links/add/", {"kind": "RefersTo", "other": world.tb.pk}
    )
    client.put(
        f"/REST/2.0/ticket/{world.ta.pk}",
        {"RefersTo": [world.tb.pk]},
        content_type="application/json",
    )

    assert not Link.objects.filter(base_id=world.ta.pk).exists()


def test_zammad_2026_34722_a_link_to_a_ticket_i_cannot_see_is_refused(world):
    client = client_for(world, "staff_with_rights")  # cannot see the Vault ticket
    ta, tb, tv = world.ta.pk, world.tb.pk, world.tv.pk

    for other in (tb, tv):
        client.post(f"/ticket/{ta}/links/add/", {"kind": "RefersTo", "other": other})
    for others in ([ta], [ta, tv]):
        client.put(
            f"/REST/2.0/ticket/{tb}",
            {"RefersTo": others},
            content_type="application/json",
        )

    # The visible tickets are linked, by the page and by the API; the Vault one is not.
    assert Link.objects.filter(base_id=ta, target_id=tb).exists()
    assert Link.objects.filter(base_id=tb, target_id=ta).exists()
    assert not Link.objects.filter(target_id=tv).exists()


def test_osticket_cve_2018_7192_sort_and_order_parameters_are_not_reflected(world):
    client = client_for(world, "staff_with_rights")
    payload = "<script>sortprobe()</script>"

    html = client.get(
        "/search/",
        {"q": "id > 0", "order": payload, "sort": payload, "orderby": payload},
    ).text

    assert "<script>sortprobe" not in html


def test_osticket_2022_changing_the_password_needs_the_current_one(world):
    client = Client()
    client.force_login(world.customer_a)

    client.post(
        "/accounts/password_change/",
        {
            "new_password1": "an entirely new pass 42",
            "new_password2": "an entirely new pass 42",
        },
    )
    world.customer_a.refresh_from_db()

    assert world.customer_a.check_password(PASSWORD)


def test_osticket_2023_a_queue_id_the_customer_may_not_use_creates_nothing(world):
    client = client_for(world, "customer_a")
    before = Ticket.objects.filter(queue=world.vault).count()

    response = client.post(
        "/ticket/new/",
        {"queue": world.vault.pk, "subject": "Sneaky", "content": "In the vault"},
    )

    assert response.status_code in (403, 404)
    assert Ticket.objects.filter(queue=world.vault).count() == before


def test_trudesk_2026_attachment_files_are_not_served_from_a_media_url(world, settings):
    from pathlib import Path

    stored = next(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    relative = stored.relative_to(settings.MEDIA_ROOT).as_posix()

    for client in (Client(), client_for(world, "customer_b")):
        response = client.get(f"/media/{relative}")
        assert response.status_code in (302, 404)
        assert not leaks_in(response, world.ta.all_markers | world.tb.all_markers)


def test_osticket_cve_2020_24881_remote_images_are_not_loaded(world):
    client = client_for(world, "staff_with_rights")

    policy = client.get(f"/ticket/{world.ta.pk}/").headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))

    assert img_src.split()[1:] == ["'self'", "data:"]


def test_django_cve_2024_39329_an_unusable_password_answers_like_a_wrong_one(world):
    locked_out = make_user(username="nopass")
    locked_out.set_unusable_password()
    locked_out.save()

    unusable = Client().post(
        "/accounts/login/", {"username": "nopass", "password": "guess"}
    )
    wrong = Client().post(
        "/accounts/login/", {"username": "custa", "password": "guess"}
    )

    assert unusable.status_code == wrong.status_code == 200
    assert _errors(unusable) == _errors(wrong)


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())
