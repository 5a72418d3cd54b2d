"""Logging in to REST 1.0: form fields, HTTP basic, the RT_SID cookie, logout."""

from __future__ import annotations

import pytest

from tests.rest1.conftest import basic

pytestmark = pytest.mark.urls("tests.rest1.urls")


def test_no_credentials_answers_rt_401_inside_http_200(client, ticket):
    response = client.get(f"/REST/1.0/ticket/{ticket.pk}/show")
    assert response.status_code == 200
    assert response.content.decode() == "RT/5.0.3 401 Credentials required\n\n"


def test_form_login_hands_out_an_rt_sid_cookie_that_authenticates(
    client, staff, ticket
):
    response = client.post(
        f"/REST/1.0/ticket/{ticket.pk}/show", {"user": "alice", "pass": "secret"}
    )
    assert response.content.decode().startswith("RT/5.0.3 200 Ok\n\nid: ticket/")
    (cookie,) = response.cookies.values()
    assert cookie.key.startswith("RT_SID_tracker.")
    int(cookie.value, 16)  # rt keeps the cookie only if its value is hexadecimal
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    again = client.get(f"/REST/1.0/ticket/{ticket.pk}/show")
    assert again.content.decode().startswith("RT/5.0.3 200 Ok")
    assert not again.cookies


def test_wrong_form_password_is_refused(client, staff, ticket):
    response = client.post(
        f"/REST/1.0/ticket/{ticket.pk}/show", {"user": "alice", "pass": "nope"}
    )
    assert response.content.decode() == "RT/5.0.3 401 Credentials required\n\n"
    assert not response.cookies


def test_wrong_basic_password_is_an_http_401(client, staff, ticket):
    response = client.get(f"/REST/1.0/ticket/{ticket.pk}/show", **basic(staff, "nope"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_basic_auth_works_without_a_session(client, staff, ticket):
    response = client.get(f"/REST/1.0/ticket/{ticket.pk}/show", **basic(staff))
    assert "Subject: Printer on fire" in response.content.decode()
    assert not response.cookies


def test_disabled_user_cannot_log_in(client, staff, ticket):
    staff.is_active = False
    staff.save()
    response = client.post("/REST/1.0/show", {"user": "alice", "pass": "secret"})
    assert "401 Credentials required" in response.content.decode()


def test_logout_ends_the_session(client, staff, ticket):
    client.post("/REST/1.0/show", {"user": "alice", "pass": "secret", "id": "ticket/1"})
    assert (
        client.post("/REST/1.0/logout").content.decode()
        == "RT/5.0.3 200 Ok\n\nLogged out.\n"
    )
    after = client.get(f"/REST/1.0/ticket/{ticket.pk}/show")
    assert "401 Credentials required" in after.content.decode()


def test_the_web_session_does_not_authenticate_rest1(client, staff, ticket):
    client.force_login(staff)
    response = client.get(f"/REST/1.0/ticket/{ticket.pk}/show")
    assert "401 Credentials required" in response.content.decode()
