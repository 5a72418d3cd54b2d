"""Authentication (basic, token, session) and the caller's own auth tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import BASE, Api, basic_auth
from tests.factories import grant, make_ticket, make_user
from tracker.models import AuthToken
from tracker.models.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_user():
    user = make_user(privileged=True, password="pw", username="scripter")
    grant("ManageAuthTokens", user=user)
    return user


def _new_token(user, **body):
    response = Api(user).post("tokens", {"Description": "curl", **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_anonymous_request_gets_401_json_with_basic_challenge(anonymous):
    response = anonymous.get("tickets")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Basic")


def test_basic_auth_with_the_django_password(staff, anonymous):
    response = anonymous.client.get(
        BASE + "rt", HTTP_AUTHORIZATION=basic_auth("staff", "pw")
    )

    assert response.status_code == 200
    assert "Version" in response.json()


def test_basic_auth_with_a_wrong_password_is_401(staff, anonymous):
    response = anonymous.client.get(
        BASE + "rt", HTTP_AUTHORIZATION=basic_auth("staff", "nope")
    )

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_disabled_user_cannot_use_basic_auth(staff, anonymous):
    staff.is_active = False
    staff.save()

    response = anonymous.client.get(
        BASE + "rt", HTTP_AUTHORIZATION=basic_auth("staff", "pw")
    )

    assert response.status_code == 401


def test_created_token_is_shown_once_and_stored_hashed(token_user):
    body = _new_token(token_user)

    secret = body["token"]
    stored = AuthToken.objects.get(pk=body["id"])
    assert stored.token_hash == hash_token(secret)
    assert secret not in stored.token_hash
    assert body["Description"] == "curl"
    listing = Api(token_user).get("tokens").json()
    assert listing["total"] == 1
    assert "token" not in listing["items"][0]


def test_token_in_the_authorization_header_authenticates(token_user, anonymous):
    secret = _new_token(token_user)["token"]

    response = anonymous.client.get(
        BASE + "user/scripter", HTTP_AUTHORIZATION=f"token {secret}"
    )

    assert response.status_code == 200
    assert response.json()["Name"] == "scripter"
    assert AuthToken.objects.get().last_used is not None


def test_token_in_the_query_string_authenticates(token_user, anonymous):
    secret = _new_token(token_user)["token"]

    response = anonymous.get("rt", token=secret)

    assert response.status_code == 200


def test_unknown_token_is_401(anonymous):
    response = anonymous.client.get(BASE + "rt", HTTP_AUTHORIZATION="token nonsense")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_expired_token_is_401(token_user, anonymous):
    secret = _new_token(token_user)["token"]
    AuthToken.objects.update(expires=timezone.now() - timedelta(minutes=1))

    response = anonymous.client.get(BASE + "rt", HTTP_AUTHORIZATION=f"token {secret}")

    assert response.status_code == 401


def test_token_of_a_disabled_user_is_401(token_user, anonymous):
    secret = _new_token(token_user)["token"]
    token_user.is_active = False
    token_user.save()

    response = anonymous.client.get(BASE + "rt", HTTP_AUTHORIZATION=f"token {secret}")

    assert response.status_code == 401


def test_revoked_token_stops_working(token_user, anonymous):
    body = _new_token(token_user)

    assert Api(token_user).delete(f"token/{body['id']}").status_code == 204
    response = anonymous.client.get(
        BASE + "rt", HTTP_AUTHORIZATION=f"token {body['token']}"
    )

    assert response.status_code == 401


def test_token_api_acts_with_the_token_owners_rights(token_user, anonymous, general):
    secret = _new_token(token_user)["token"]
    ticket = make_ticket(subject="Hidden from scripter")

    response = anonymous.client.get(
        BASE + f"ticket/{ticket.pk}", HTTP_AUTHORIZATION=f"token {secret}"
    )

    assert response.status_code == 404


def test_managing_tokens_needs_manage_auth_tokens(staff):
    api = Api(staff)

    assert api.get("tokens").status_code == 403
    response = api.post("tokens", {"Description": "x"})
    assert response.status_code == 403
    assert "ManageAuthTokens" in response.json()["message"]


def test_users_cannot_see_or_revoke_each_others_tokens(token_user):
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)
    body = _new_token(token_user)

    assert Api(other).get(f"token/{body['id']}").status_code == 404
    assert Api(other).delete(f"token/{body['id']}").status_code == 404
    assert AuthToken.objects.filter(pk=body["id"]).exists()


def test_token_with_expiry_and_bad_input(token_user):
    api = Api(token_user)

    good = api.post("tokens", {"Description": "ci", "Expires": "2099-01-01"})
    assert good.status_code == 201
    assert good.json()["Expires"].startswith("2099-01-0")
    assert api.post("tokens", {"Description": ""}).status_code == 400
    assert (
        api.post("tokens", {"Description": "x", "Expires": "soon"}).status_code == 400
    )
    assert api.post("tokens", {"Description": ["x"]}).status_code == 400
    assert api.post("tokens", {"Description": "x", "Owner": "root"}).status_code == 400


def test_session_auth_needs_csrf_for_unsafe_methods(staff, general):
    api = Api(staff, enforce_csrf_checks=True)

    assert api.get("rt").status_code == 200
    response = api.post("ticket", {"Queue": "General", "Subject": "x"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_basic_auth_needs_no_csrf(staff, general):
    api = Api(enforce_csrf_checks=True, HTTP_AUTHORIZATION=basic_auth("staff", "pw"))

    response = api.post("ticket", {"Queue": "General", "Subject": "x"})

    assert response.status_code == 201
