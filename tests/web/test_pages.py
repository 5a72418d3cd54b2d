"""The web shell over HTTP: login, the home list, the ticket page and error pages."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import grant, make_queue, make_ticket, make_user
from tracker import services
from tracker.errors import Conflict, PermissionDenied
from tracker.principals import system_user
from tracker.web.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return make_ticket(subject="Router in rack 4 is down", body="No link since 09:12.")


@pytest.fixture
def user():
    return make_user()


# --- Login and home ---------------------------------------------------------------------


def test_login_page_renders_a_form(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b"<form" in response.content
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_login_with_good_credentials_lands_on_home(client):
    make_user(username="alice", password="correct horse")

    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/")


def test_logged_in_customer_sees_their_requests_page(client, user):
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert b"My requests" in response.content
    assert b"Log out" in response.content


def test_home_lists_only_tickets_the_user_may_see(client, user, ticket):
    hidden = make_ticket(queue=make_queue("Secret"), subject="Hidden incident")
    grant("ShowTicket", user=user, queue=ticket.queue)
    client.force_login(user)

    response = client.get(reverse("home"))

    assert ticket.subject.encode() in response.content
    assert hidden.subject.encode() not in response.content


def test_logout_is_a_post(client, user):
    client.force_login(user)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password_change/",
        "/accounts/password_change/done/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/not-a-token/",
        "/accounts/reset/done/",
    ],
)
def test_account_pages_render(client, user, url):
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 200


def test_password_reset_mails_a_link(client, mailoutbox):
    make_user(username="bob", email="bob@example.org", password="old secret")

    response = client.post(reverse("password_reset"), {"email": "bob@example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


# --- Ticket page ------------------------------------------------------------------------


def test_user_without_show_ticket_gets_404(client, user, ticket):
    client.force_login(user)

    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 404


def test_user_with_show_ticket_sees_the_ticket_and_its_history(client, user, ticket):
    grant("ShowTicket", user=user, queue=ticket.queue)
    client.force_login(user)

    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 200
    assert ticket.subject.encode() in response.content
    assert b"No link since 09:12." in response.content


def test_missing_ticket_gets_404(client, user):
    client.force_login(user)

    response = client.get(reverse("ticket-detail", args=[999999]))

    assert response.status_code == 404


def test_anonymous_ticket_page_redirects_to_login(client, ticket):
    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ticket_page_query_count_does_not_grow_with_history(client, user, ticket):
    grant("ShowTicket", user=user, queue=ticket.queue)
    client.force_login(user)
    url = ticket.get_absolute_url()

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    short = count_queries()
    for n in range(5):
        services.correspond(ticket=ticket, actor=system_user(), body=f"Update {n}")
    assert count_queries() == short


# --- Domain errors ----------------------------------------------------------------------


def _raise_through_middleware(request, error):
    request.user = AnonymousUser()
    middleware = DomainErrorMiddleware(lambda request: None)
    return middleware.process_exception(request, error)


def test_domain_error_becomes_a_readable_page_with_its_status(rf):
    response = _raise_through_middleware(
        rf.get("/ticket/1/"), Conflict("The ticket changed meanwhile.")
    )

    assert response.status_code == 409
    assert b"The ticket changed meanwhile." in response.content
    assert response["Content-Type"].startswith("text/html")


def test_domain_error_answers_json_when_the_client_prefers_it(rf):
    request = rf.get("/ticket/1/", HTTP_ACCEPT="application/json")

    response = _raise_through_middleware(request, PermissionDenied("Not yours."))

    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Not yours."}


def test_browser_accept_header_gets_html_not_json(rf):
    request = rf.get(
        "/",
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )

    response = _raise_through_middleware(request, Conflict("Busy."))

    assert response["Content-Type"].startswith("text/html")


def test_other_exceptions_are_left_to_django(rf):
    assert _raise_through_middleware(rf.get("/"), ValueError("boom")) is None
