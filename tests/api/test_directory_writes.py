"""Creating, changing and disabling queues, users and groups."""

from __future__ import annotations

import pytest

from queues.models import Queue
from tests.api.conftest import Api
from tests.factories import (
    grant,
    make_admin,
    make_group,
    make_queue,
    make_ticket,
    make_user,
)
from tracker.models import Group, User
from tracker.principals import nobody

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api():
    return Api(make_admin(username="root"))


def test_create_queue(admin_api):
    response = admin_api.post(
        "queue",
        {
            "Name": "Network",
            "CorrespondAddress": "noc@example.org",
            "Lifecycle": "incident",
        },
    )

    assert response.status_code == 201, response.content
    queue = Queue.objects.get(name="Network")
    assert response.json()["id"] == str(queue.pk)
    assert queue.lifecycle.name == "incident"
    assert queue.correspond_address == "noc@example.org"
    assert queue.is_active


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "Name is required."),
        ({"Name": "general"}, "Name"),
        ({"Name": "X", "Lifecycle": "nope"}, "no lifecycle named 'nope'"),
        ({"Name": "X", "CorrespondAddress": "not-an-address"}, "CorrespondAddress"),
        ({"Name": "X", "SortOrder": "first"}, "SortOrder"),
        ({"Name": "X", "Disabled": "maybe"}, "Disabled must be 0 or 1."),
        ({"Name": ["X"]}, "Name must be a string"),
        ({"Name": "X", "Colour": "red"}, "Unknown field(s): Colour"),
    ],
)
def test_create_queue_rejects_bad_input(admin_api, body, fragment):
    response = admin_api.post("queue", body)

    assert response.status_code == 400, response.content
    assert fragment in response.json()["message"]


def test_queue_writes_need_admin_queue(api, staff, general):
    grant("SeeQueue", user=staff, queue=general)

    assert api.post("queue", {"Name": "Mine"}).status_code == 403
    assert api.put("queue/General", {"Description": "x"}).status_code == 403
    assert api.delete("queue/General").status_code == 403
    grant("AdminQueue", user=staff, queue=general)
    response = api.put("queue/General", {"Description": "Catch-all"})
    assert response.status_code == 200
    assert response.json() == [
        "Queue General: Description changed from 'The default queue' to 'Catch-all'"
    ]


def test_update_and_disable_queue(admin_api):
    queue = make_queue("Old")

    changed = admin_api.put(
        f"queue/{queue.pk}", {"Name": "Older", "InitialPriority": 10}
    )
    assert changed.status_code == 200
    assert "Queue Old: Name changed from 'Old' to 'Older'" in changed.json()
    assert admin_api.delete("queue/Older").status_code == 204
    queue.refresh_from_db()
    assert (queue.name, queue.initial_priority, queue.is_active) == ("Older", 10, False)


def test_lifecycle_change_that_would_strand_tickets_is_400(admin_api):
    queue = make_queue("Desk")
    make_ticket(queue=queue, status="open")

    response = admin_api.put("queue/Desk", {"Lifecycle": "incident"})

    assert response.status_code == 400
    assert "open" in response.json()["message"]


def test_create_update_disable_user(admin_api):
    created = admin_api.post(
        "user",
        {
            "Name": "erin",
            "EmailAddress": "erin@example.org",
            "RealName": "Erin",
            "Privileged": 1,
        },
    )

    assert created.status_code == 201, created.content
    assert created.json()["id"] == "erin"
    user = User.objects.get(username="erin")
    assert user.is_privileged
    assert user.is_active
    assert not user.has_usable_password()
    changed = admin_api.put("user/erin", {"Organization": "NOC", "Privileged": 0})
    assert changed.json() == [
        "User erin: Organization changed from '' to 'NOC'",
        "User erin: Privileged changed from 'True' to 'False'",
    ]
    assert admin_api.delete("user/erin").status_code == 204
    user.refresh_from_db()
    assert not user.is_active
    duplicate = admin_api.post(
        "user", {"Name": "erin2", "EmailAddress": "ERIN@example.org"}
    )
    assert duplicate.status_code == 400


def test_users_edit_their_own_details_but_not_their_privileges(outsider):
    api = Api(outsider)

    assert api.put("user/outsider", {"RealName": "Out Sider"}).status_code == 200
    assert api.put("user/outsider", {"Privileged": 1}).status_code == 403
    assert api.post("user", {"Name": "sneaky"}).status_code == 403
    outsider.refresh_from_db()
    assert outsider.real_name == "Out Sider"
    assert not outsider.is_privileged


def test_system_users_cannot_be_changed(admin_api):
    response = admin_api.put(f"user/{nobody().pk}", {"RealName": "Somebody"})

    assert response.status_code == 403


def test_create_update_disable_group(admin_api, api):
    created = admin_api.post("group", {"Name": "Tier 2", "Description": "Escalations"})

    assert created.status_code == 201, created.content
    group = Group.objects.get(name="Tier 2")
    assert admin_api.put(f"group/{group.pk}", {"Description": "L2"}).status_code == 200
    assert admin_api.post("group", {"Name": "Tier 2"}).status_code == 400
    assert admin_api.post("group", {"Name": "Privileged"}).status_code == 400
    assert admin_api.delete(f"group/{group.pk}").status_code == 204
    group.refresh_from_db()
    assert (group.description, group.is_active) == ("L2", False)
    assert api.post("group", {"Name": "Mine"}).status_code == 403


def test_system_groups_cannot_be_changed(admin_api):
    privileged = Group.objects.get(name="Privileged")

    response = admin_api.put(f"group/{privileged.pk}", {"Description": "x"})

    assert response.status_code == 400


def test_group_write_needs_admin_groups(api):
    group = make_group("Team")

    assert api.put(f"group/{group.pk}", {"Description": "x"}).status_code == 403
    assert (
        Api(make_user()).put(f"group/{group.pk}", {"Description": "x"}).status_code
        == 404
    )
