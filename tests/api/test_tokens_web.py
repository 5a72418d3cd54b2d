"""The auth-token page under the user's preferences: create (secret shown once), use,
revoke."""

import re

import pytest
from django.test import Client

from tests.factories import grant, make_user
from tracker.models import AuthToken

pytestmark = pytest.mark.django_db

PAGE = "/preferences/tokens/"


@pytest.fixture
def owner():
    user = make_user(username="owner", privileged=True)
    grant("ManageAuthTokens", user=user)
    return user


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _secret(response) -> str:
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode())
    assert match, "the new token's secret is on the page"
    return match.group(1)


def test_created_token_is_shown_once_and_authenticates_the_api(browser):
    created = browser.post(PAGE, {"description": "backup script"})

    assert created.status_code == 200
    secret = _secret(created)
    assert 'id="new-token"' not in browser.get(PAGE).content.decode()
    api = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=f"token {secret}")
    assert api.status_code == 200


def test_token_list_shows_descriptions_of_own_tokens_only(browser, owner):
    browser.post(PAGE, {"description": "mine"})
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)
    other_browser = Client()
    other_browser.force_login(
        other, backend="django.contrib.auth.backends.ModelBackend"
    )
    other_browser.post(PAGE, {"description": "theirs"})

    page = browser.get(PAGE).content.decode()

    assert "mine" in page
    assert "theirs" not in page


def test_revoked_token_no_longer_authenticates(browser, owner):
    secret = _secret(browser.post(PAGE, {"description": "ci"}))
    token = AuthToken.objects.get(user=owner)

    response = browser.post(PAGE, {"revoke": str(token.pk)})

    assert response.status_code == 302
    assert not AuthToken.objects.filter(pk=token.pk).exists()
    api = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=f"token {secret}")
    assert api.status_code == 401


def test_revoking_another_users_token_is_404_and_keeps_it(browser):
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)
    other_browser = Client()
    other_browser.force_login(
        other, backend="django.contrib.auth.backends.ModelBackend"
    )
    other_browser.post(PAGE, {"description": "theirs"})
    token = AuthToken.objects.get(user=other)

    response = browser.post(PAGE, {"revoke": str(token.pk)})

    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=token.pk).exists()


def test_page_needs_manage_auth_tokens():
    user = make_user(username="plain", privileged=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(PAGE).status_code == 403


def test_empty_description_is_a_form_error(browser, owner):
    response = browser.post(PAGE, {"description": ""})

    assert response.status_code == 400
    assert not AuthToken.objects.filter(user=owner).exists()
