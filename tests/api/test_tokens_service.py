"""The token services: who may create, list and revoke which tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import grant, make_admin, make_user
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.models import AuthToken
from tracker.models.tokens import hash_token
from tracker.services import tokens as token_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    user = make_user(username="owner")
    grant("ManageAuthTokens", user=user)
    return user


def test_create_token_stores_only_the_hash_of_the_secret(owner):
    token, secret = token_services.create_token(
        user=owner, actor=owner, description=" nightly export "
    )

    stored = AuthToken.objects.get(pk=token.pk)
    assert stored.token_hash == hash_token(secret)
    assert secret not in stored.token_hash
    assert stored.description == "nightly export"


def test_create_token_without_manage_auth_tokens_is_denied():
    user = make_user(username="plain")

    with pytest.raises(PermissionDenied):
        token_services.create_token(user=user, actor=user, description="x")
    assert not AuthToken.objects.exists()


def test_creating_a_token_for_someone_else_needs_admin_users(owner):
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)

    with pytest.raises(PermissionDenied):
        token_services.create_token(user=owner, actor=other, description="x")
    token, _ = token_services.create_token(
        user=owner, actor=make_admin(username="root"), description="by admin"
    )
    assert token.user == owner


def test_create_token_refuses_empty_description_and_past_expiry(owner):
    with pytest.raises(ValidationFailed):
        token_services.create_token(user=owner, actor=owner, description="  ")
    with pytest.raises(ValidationFailed):
        token_services.create_token(
            user=owner,
            actor=owner,
            description="x",
            expires=timezone.now() - timedelta(days=1),
        )


def test_get_token_for_hides_other_users_tokens(owner):
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)
    token, _ = token_services.create_token(user=owner, actor=owner, description="x")

    with pytest.raises(NotFound):
        token_services.get_token_for(actor=other, pk=token.pk)


def test_revoke_token_deletes_the_row(owner):
    token, _ = token_services.create_token(user=owner, actor=owner, description="x")

    token_services.revoke_token(token=token, actor=owner)

    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_revoking_another_users_token_is_denied(owner):
    token, _ = token_services.create_token(user=owner, actor=owner, description="x")
    other = make_user(username="other")
    grant("ManageAuthTokens", user=other)

    with pytest.raises(PermissionDenied):
        token_services.revoke_token(token=token, actor=other)
    assert AuthToken.objects.filter(pk=token.pk).exists()
