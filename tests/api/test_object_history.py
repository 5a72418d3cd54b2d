"""GET /queue/:id/history, /user/:id/history and /group/:id/history."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.api.conftest import Api
from tests.factories import grant, make_admin, make_group, make_user
from tracker import services
from tracker.history import record_transaction
from tracker.models import ObjectType, TransactionType

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
