"""GET /queue/:id/history, /user/:id/history and /group/:id/history."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from tests.api.conftest import Api
from tests.factories import grant, make_admin, make_group, make_user
from tracker import services
from tracker.history import record_transaction
from tracker.models import ObjectType, TransactionType, User
from tracker.services.users import user_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_admin(username="root")


def _items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_queue_history_lists_grants_and_watchers(admin, general, staff):
    services.grant_right(right="ShowTicket", actor=admin, user=staff, queue=general)
    services.add_queue_watcher(
        queue=general, role="AdminCc", principal=staff, actor=admin
    )

    items = _items(Api(admin).get(f"queue/{general.pk}/history", fields="Type,Field"))

    types = [item["Type"] for item in items]
    assert "GrantRight" in types
    assert "AddWatcher" in types
    assert all(item["_url"].split("/")[-2] == "transaction" for item in items)


def test_queue_history_by_name(admin, general):
    services.grant_right(right="SeeQueue", actor=admin, user=admin, queue=general)

    response = Api(admin).get("queue/General/history")

    assert response.json()["total"] >= 1


def test_queue_history_needs_admin_queue(staff, general):
    response = Api(staff).get(f"queue/{general.pk}/history")

    assert response.status_code == 403
    assert "AdminQueue" in response.json()["message"]


def test_history_of_an_invisible_queue_is_404(outsider, general):
    assert Api(outsider).get(f"queue/{general.pk}/history").status_code == 404


def test_group_history_lists_member_changes(admin):
    group = make_group("Network")
    member = make_user(username="nina")
    services.add_group_member(group=group, member=member, actor=admin)
    services.remove_group_member(group=group, member=member, actor=admin)

    items = _items(Api(admin).get(f"group/{group.pk}/history", fields="Type"))

    assert [item["Type"] for item in items] == ["AddMember", "DeleteMember"]


def test_group_history_needs_admin_groups(staff):
    group = make_group("Network")

    response = Api(staff).get(f"group/{group.pk}/history")

    assert response.status_code == 403


def test_user_history_lists_changes_to_the_user(admin):
    subject = make_user(username="sam")
    with transaction.atomic():
        record_transaction(
            ticket=None,
            type=TransactionType.SET,
            actor=admin,
            field="email",
            old="sam@old.example",
            new="sam@new.example",
            object_type=ObjectType.USER,
            object_id=subject.pk,
        )

    items = _items(Api(admin).get("user/sam/history", fields="Field,OldValue,NewValue"))

    assert [(i["Field"], i["OldValue"], i["NewValue"]) for i in items] == [
        ("email", "sam@old.example", "sam@new.example")
    ]


def test_user_history_needs_admin_users_or_show_user_history(staff):
    subject = make_user(username="sam")
    api = Api(staff)

    assert api.get(f"user/{subject.pk}/history").status_code == 403
    grant("ShowUserHistory", user=staff)
    assert api.get(f"user/{subject.pk}/history").status_code == 200


def _history(api, user, fields="Type,Field,OldValue,NewValue"):
    return [
        (i["Type"], i.get("Field", ""), i.get("OldValue", ""), i.get("NewValue", ""))
        for i in _items(api.get(f"user/{user.pk}/history", fields=fields))
    ]


def test_a_user_created_through_the_api_has_a_create_entry(admin):
    api = Api(admin)
    response = api.post("user", {"Name": "carla", "EmailAddress": "carla@example.org"})
    assert response.status_code == 201, response.content
    carla = User.objects.get(username="carla")

    items = _items(api.get(f"user/{carla.pk}/history", fields="Type,Creator"))

    assert [item["Type"] for item in items] == ["Create"]
    assert items[0]["Creator"]["id"] == admin.username


def test_changes_of_name_address_and_privileges_are_one_entry_each(admin):
    subject = make_user(username="sam", email="sam@old.example")
    api = Api(admin)

    response = api.put(
        f"user/{subject.pk}",
        {"Name": "samuel", "EmailAddress": "sam@new.example", "Privileged": 1},
    )
    assert response.status_code == 200, response.content

    assert sorted(_history(api, subject)) == [
        ("Set", "email", "sam@old.example", "sam@new.example"),
        ("Set", "is_privileged", "0", "1"),
        ("Set", "username", "sam", "samuel"),
    ]


def test_an_unchanged_save_records_nothing(admin):
    subject = make_user(username="sam", email="sam@example.org")
    api = Api(admin)

    api.put(f"user/{subject.pk}", {"EmailAddress": "sam@example.org"})

    assert _history(api, subject) == []


def test_disabling_and_enabling_a_user_are_recorded(admin):
    subject = make_user(username="sam")
    api = Api(admin)

    assert api.delete(f"user/{subject.pk}").status_code == 204
    api.put(f"user/{subject.pk}", {"Disabled": 0})

    assert [row[0] for row in _history(api, subject)] == ["Disabled", "Enabled"]


def test_group_membership_changes_are_in_the_user_history(admin):
    subject = make_user(username="sam")
    other = make_user(username="olga")
    group = make_group("Network")
    services.add_group_member(group=group, member=subject, actor=admin)
    services.add_group_member(group=group, member=other, actor=admin)
    services.remove_group_member(group=group, member=subject, actor=admin)

    assert _history(Api(admin), subject, fields="Type,Field") == [
        ("AddMember", "member", "", ""),
        ("DeleteMember", "member", "", ""),
    ]


def test_a_user_created_for_a_mail_sender_is_created_by_the_system():
    user = services.get_or_create_user_for_email("new.sender@example.net")

    history = list(user_history(user))

    assert [(t.type, t.creator.username) for t in history] == [("Create", "RT_System")]


def test_users_changed_in_the_admin_get_history(admin, client):
    subject = make_user(username="sam", email="sam@example.org")
    client.force_login(admin)
    url = reverse("admin:tracker_user_change", args=[subject.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "password"
    }
    data.update(email="sam@new.example", is_active="on")
    data = {k: v for k, v in data.items() if v is not False}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [(t.type, t.field, t.new_value) for t in user_history(subject)] == [
        ("Set", "email", "sam@new.example")
    ]
