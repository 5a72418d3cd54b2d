"""The user admin: tracker fields, a password on creation, system users read-only."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url
from tests.factories import grant, make_staff, make_user
from tracker.models import User
from tracker.principals import nobody

pytestmark = pytest.mark.django_db


def test_add_user_sets_the_password(admin_client):
    response = admin_client.post(
        admin_url("tracker.user", "add"),
        {
            "username": "alice",
            "email": "alice@example.org",
            "real_name": "Alice",
            "is_privileged": "on",
            "usable_password": "true",
            "password1": "correct horse battery",
            "password2": "correct horse battery",
        },
    )
    assert response.status_code == 302
    alice = User.objects.get(username="alice")
    assert alice.check_password("correct horse battery")
    assert alice.is_privileged


def test_user_fields_are_saved_by_the_admin(admin_client):
    user = make_user()
    response = admin_client.post(
        admin_url("tracker.user", "change", user.pk),
        {
            "username": user.username,
            "email": user.email,
            "real_name": "Bob Example",
            "organization": "ACME",
            "language": "en",
            "time_zone": "Europe/Paris",
            "is_active": "on",
            "date_joined": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert (user.real_name, user.organization) == ("Bob Example", "ACME")


def test_system_user_cannot_be_changed(admin_client):
    system = nobody()
    response = admin_client.post(
        admin_url("tracker.user", "change", system.pk),
        {"username": "Somebody", "email": ""},
    )
    assert response.status_code == 403
    system.refresh_from_db()
    assert system.username == "Nobody"


def test_users_cannot_be_deleted_only_disabled(admin_client):
    user = make_user()
    response = admin_client.post(
        admin_url("tracker.user", "delete", user.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_user_admin_needs_admin_users(client):
    staff = make_staff(is_staff=True)
    client.force_login(staff)
    assert client.get(admin_url("tracker.user", "changelist")).status_code == 403
    grant("AdminUsers", user=staff)
    assert client.get(admin_url("tracker.user", "changelist")).status_code == 200


def test_user_admin_without_superuser_cannot_grant_superuser(client):
    staff = make_staff(is_staff=True)
    grant("AdminUsers", user=staff)
    target = make_user()
    client.force_login(staff)
    response = client.get(admin_url("tracker.user", "change", target.pk))
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()


def test_user_admin_without_superuser_cannot_change_a_superuser(client, admin_user):
    staff = make_staff(is_staff=True)
    grant("AdminUsers", user=staff)
    client.force_login(staff)
    response = client.post(
        admin_url("tracker.user", "change", admin_user.pk),
        {"username": admin_user.username, "email": "mine@example.org"},
    )
    assert response.status_code == 403
