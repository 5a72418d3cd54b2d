"""The queue admin: configuration saved directly, watchers through the services."""

from __future__ import annotations

import pytest

from lifecycles.models import Lifecycle
from tests.admin.conftest import admin_url, messages_of
from tests.factories import grant, make_group, make_queue, make_staff, make_ticket
from tracker import services
from tracker.models import QueueWatcher, Transaction, TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


def queue_form(queue, **changes):
    data = {
        "name": queue.name,
        "description": queue.description,
        "lifecycle": queue.lifecycle_id,
        "is_active": "on",
        "sort_order": queue.sort_order,
        "correspond_address": queue.correspond_address,
        "comment_address": queue.comment_address,
        "subject_tag": queue.subject_tag,
        "initial_priority": queue.initial_priority,
        "final_priority": queue.final_priority,
        "default_due_days": "",
    }
    data.update(changes)
    return data


def test_queue_watcher_added_through_the_admin_writes_add_watcher(
    admin_client, admin_user, general
):
    staff = make_staff()
    response = admin_client.post(
        admin_url("queues.queue", "watcher_add", general.pk),
        {"role": "AdminCc", "user": staff.username},
    )
    assert response.status_code == 302
    assert QueueWatcher.objects.filter(
        queue=general, role="AdminCc", user=staff
    ).exists()
    txn = Transaction.objects.get(type=TransactionType.ADD_WATCHER, object_type="queue")
    assert (txn.object_id, txn.field, txn.new_value) == (
        general.pk,
        "AdminCc",
        str(staff.pk),
    )
    assert txn.creator == admin_user


def test_group_can_be_added_as_queue_watcher(admin_client, general):
    group = make_group("Network team")
    admin_client.post(
        admin_url("queues.queue", "watcher_add", general.pk),
        {"role": "Cc", "group": group.pk},
    )
    assert QueueWatcher.objects.filter(queue=general, role="Cc", group=group).exists()


def test_adding_an_existing_queue_watcher_shows_the_service_error(
    admin_client, general
):
    staff = make_staff()
    services.add_queue_watcher(
        queue=general, role="Cc", principal=staff, actor=system_user()
    )
    response = admin_client.post(
        admin_url("queues.queue", "watcher_add", general.pk),
        {"role": "Cc", "user": staff.username},
    )
    assert response.status_code == 200
    assert any("already a Cc" in m for m in messages_of(response))


def test_watcher_form_needs_either_user_or_group(admin_client, general):
    response = admin_client.post(
        admin_url("queues.queue", "watcher_add", general.pk), {"role": "Cc"}
    )
    assert response.status_code == 200
    assert "Give either a user or a group." in response.content.decode()
    assert not Transaction.objects.filter(type=TransactionType.ADD_WATCHER).exists()


def test_queue_watcher_removed_through_the_admin_writes_del_watcher(
    admin_client, general
):
    staff = make_staff()
    services.add_queue_watcher(
        queue=general, role="Cc", principal=staff, actor=system_user()
    )
    watcher = QueueWatcher.objects.get(queue=general, user=staff)
    response = admin_client.post(
        admin_url("queues.queue", "watcher_remove", general.pk, watcher.pk)
    )
    assert response.status_code == 302
    assert not QueueWatcher.objects.filter(pk=watcher.pk).exists()
    assert Transaction.objects.filter(
        type=TransactionType.DEL_WATCHER, object_type="queue", object_id=general.pk
    ).exists()


def test_queue_fields_are_saved_by_the_admin(admin_client, general):
    response = admin_client.post(
        admin_url("queues.queue", "change", general.pk),
        queue_form(general, correspond_address="help@example.org"),
    )
    assert response.status_code == 302
    general.refresh_from_db()
    assert general.correspond_address == "help@example.org"


def test_queue_lifecycle_change_that_strands_ticket_statuses_is_refused(
    admin_client, general
):
    make_ticket(queue=general, status="open")  # the incident lifecycle has no "open"
    incident = Lifecycle.objects.get(name="incident")
    response = admin_client.post(
        admin_url("queues.queue", "change", general.pk),
        queue_form(general, lifecycle=incident.pk),
    )
    assert response.status_code == 200
    assert "lacks: open" in response.content.decode()
    general.refresh_from_db()
    assert general.lifecycle.name == "default"


def test_queue_cannot_be_deleted_from_the_admin(admin_client):
    queue = make_queue()
    response = admin_client.post(
        admin_url("queues.queue", "delete", queue.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert type(queue).objects.filter(pk=queue.pk).exists()


def test_queue_admin_lists_only_queues_the_staff_member_administers(client, general):
    staff = make_staff(is_staff=True)
    other = make_queue("Hidden queue")
    grant("AdminQueue", user=staff, queue=general)
    client.force_login(staff)
    response = client.get(admin_url("queues.queue", "changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "General" in content
    assert other.name not in content


def test_staff_without_rights_cannot_open_the_queue_admin(client, general):
    staff = make_staff(is_staff=True)
    client.force_login(staff)
    response = client.get(admin_url("queues.queue", "change", general.pk))
    assert response.status_code == 403
