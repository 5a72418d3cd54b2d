"""The group admin: user-defined groups edited, memberships through the services."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url, messages_of
from tests.factories import make_group, make_user
from tracker.models import Group, GroupMember, Transaction, TransactionType

pytestmark = pytest.mark.django_db


def test_adding_a_group_to_itself_shows_the_loop_error(admin_client):
    group = make_group("Support")
    response = admin_client.post(
        admin_url("tracker.group", "member_add", group.pk), {"group": group.pk}
    )
    assert response.status_code == 200
    assert any("would make a loop" in m for m in messages_of(response))
    assert not GroupMember.objects.filter(group=group).exists()


def test_adding_a_member_through_the_admin_writes_add_member(admin_client, admin_user):
    group = make_group("Support")
    user = make_user()
    response = admin_client.post(
        admin_url("tracker.group", "member_add", group.pk), {"user": user.email}
    )
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=group, user=user).exists()
    txn = Transaction.objects.get(type=TransactionType.ADD_MEMBER, object_id=group.pk)
    assert txn.creator == admin_user


def test_removing_a_member_through_the_admin_writes_delete_member(admin_client):
    user = make_user()
    group = make_group("Support", user)
    membership = GroupMember.objects.get(group=group, user=user)
    response = admin_client.post(
        admin_url("tracker.group", "member_remove", group.pk, membership.pk)
    )
    assert response.status_code == 302
    assert not GroupMember.objects.filter(pk=membership.pk).exists()
    assert Transaction.objects.filter(
        type=TransactionType.DELETE_MEMBER, object_id=group.pk
    ).exists()


def test_system_group_membership_cannot_be_changed(admin_client):
    everyone = Group.objects.get(name="Everyone", domain="system")
    response = admin_client.post(
        admin_url("tracker.group", "member_add", everyone.pk),
        {"user": make_user().username},
    )
    assert response.status_code == 200
    assert any("is computed" in m for m in messages_of(response))


def test_system_group_cannot_be_edited(admin_client):
    everyone = Group.objects.get(name="Everyone", domain="system")
    response = admin_client.post(
        admin_url("tracker.group", "change", everyone.pk),
        {"name": "Anyone", "description": "", "is_active": "on"},
    )
    assert response.status_code == 403
    everyone.refresh_from_db()
    assert everyone.name == "Everyone"


def test_new_group_is_user_defined(admin_client):
    response = admin_client.post(
        admin_url("tracker.group", "add"),
        {"name": "Tier 1", "description": "First line", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Group.objects.get(name="Tier 1").domain == "userdefined"


def test_group_cannot_take_a_system_group_name(admin_client):
    response = admin_client.post(
        admin_url("tracker.group", "add"), {"name": "Privileged", "is_active": "on"}
    )
    assert response.status_code == 200
    assert not Group.objects.filter(name="Privileged", domain="userdefined").exists()


def test_duplicate_group_name_is_a_form_error(admin_client):
    make_group("Support")
    response = admin_client.post(
        admin_url("tracker.group", "add"), {"name": "Support", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
