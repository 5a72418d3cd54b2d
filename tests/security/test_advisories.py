"""Regression tests named after advisories not covered by a broader test elsewhere in
tests/security (see ../shared/reliability-security.md, section A)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security import xss
from tests.security.test_access_matrix import client_for, leaks_in

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
