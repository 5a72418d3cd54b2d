"""The Rights page grants and revokes through the services, and only for those allowed."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url, messages_of
from tests.factories import grant, make_group, make_queue, make_staff
from tracker.models import ACE, Transaction, TransactionType

pytestmark = pytest.mark.django_db


def grant_form(**fields):
    data = {"kind": "user", "user": "", "group": "", "role": "", "queue": ""}
    data.update(fields)
    return data


def test_granting_through_the_admin_creates_grant_and_history(
    admin_client, admin_user, general
):
    staff = make_staff()
    response = admin_client.post(
        admin_url("tracker.ace", "add"),
        grant_form(user=staff.username, right="OwnTicket", queue=general.pk),
    )
    assert response.status_code == 302
    ace = ACE.objects.get(user=staff, right="OwnTicket", queue=general)
    txn = Transaction.objects.get(
        type=TransactionType.GRANT_RIGHT, new_reference=ace.pk
    )
    assert txn.creator == admin_user
    assert txn.object_type == "queue"
    assert txn.object_id == general.pk


def test_granting_to_a_group_globally_through_the_admin(admin_client):
    group = make_group("NOC")
    admin_client.post(
        admin_url("tracker.ace", "add"),
        grant_form(kind="group", group=group.pk, right="ShowTicket"),
    )
    assert ACE.objects.filter(group=group, right="ShowTicket", queue=None).exists()


def test_granting_to_a_role_through_the_admin(admin_client, general):
    admin_client.post(
        admin_url("tracker.ace", "add"),
        grant_form(kind="role", role="AdminCc", right="ModifyTicket", queue=general.pk),
    )
    assert ACE.objects.filter(
        role="AdminCc", right="ModifyTicket", queue=general
    ).exists()


def test_grant_page_redirects_to_next_after_granting(admin_client, general):
    staff = make_staff()
    queue_page = admin_url("queues.queue", "change", general.pk)
    response = admin_client.post(
        admin_url("tracker.ace", "add"),
        grant_form(
            user=staff.username, right="SeeQueue", queue=general.pk, next=queue_page
        ),
    )
    assert response["Location"] == queue_page


def test_system_right_cannot_be_granted_on_a_queue(admin_client, general):
    staff = make_staff()
    grants_before = ACE.objects.count()
    response = admin_client.post(
        admin_url("tracker.ace", "add"),
        grant_form(user=staff.username, right="AdminUsers", queue=general.pk),
    )
    assert response.status_code == 200
    assert "AdminUsers can only be granted globally." in messages_of(response)
    assert ACE.objects.count() == grants_before
    assert not Transaction.objects.filter(type=TransactionType.GRANT_RIGHT).exists()


def test_grant_to_unknown_user_is_a_form_error(admin_client):
    response = admin_client.post(
        admin_url("tracker.ace", "add"), grant_form(user="ghost", right="SeeQueue")
    )
    assert response.status_code == 200
    assert "No user named" in response.content.decode()


def test_grant_form_groups_rights_by_category_and_scope(admin_client):
    response = admin_client.get(admin_url("tracker.ace", "add"))
    content = response.content.decode()
    assert '<optgroup label="Staff (per queue or global)">' in content
    assert '<optgroup label="Admin (global only)">' in content


def test_revoking_through_the_admin_writes_revoke_history(
    admin_client, admin_user, general
):
    ace = grant("OwnTicket", user=make_staff(), queue=general)
    response = admin_client.post(admin_url("tracker.ace", "delete", ace.pk))
    assert response.status_code == 302
    assert not ACE.objects.filter(pk=ace.pk).exists()
    txn = Transaction.objects.get(
        type=TransactionType.REVOKE_RIGHT, old_reference=ace.pk
    )
    assert txn.creator == admin_user
    assert txn.field == "OwnTicket"


def test_revoke_confirmation_does_not_revoke(admin_client, general):
    ace = grant("OwnTicket", user=make_staff(), queue=general)
    response = admin_client.get(admin_url("tracker.ace", "delete", ace.pk))
    assert response.status_code == 200
    assert "Revoke OwnTicket" in response.content.decode()
    assert ACE.objects.filter(pk=ace.pk).exists()


def test_bulk_revoke_asks_then_revokes_each_grant_through_the_service(
    admin_client, general
):
    staff = make_staff()
    aces = [grant(r, user=staff, queue=general) for r in ("OwnTicket", "TakeTicket")]
    data = {"action": "revoke_selected", "_selected_action": [a.pk for a in aces]}
    url = admin_url("tracker.ace", "changelist")

    asked = admin_client.post(url, data)
    assert asked.status_code == 200
    assert ACE.objects.filter(user=staff).count() == 2

    admin_client.post(url, {**data, "post": "yes"})
    assert not ACE.objects.filter(user=staff).exists()
    assert Transaction.objects.filter(type=TransactionType.REVOKE_RIGHT).count() == 2


def test_bulk_delete_action_is_not_offered(admin_client):
    response = admin_client.get(admin_url("tracker.ace", "changelist"))
    assert b'value="delete_selected"' not in response.content
    assert b'value="revoke_selected"' in response.content


def test_existing_grant_cannot_be_edited(admin_client, general):
    ace = grant("OwnTicket", user=make_staff(), queue=general)
    response = admin_client.post(
        admin_url("tracker.ace", "change", ace.pk), {"right": "ModifyTicket"}
    )
    assert response.status_code == 403
    ace.refresh_from_db()
    assert ace.right == "OwnTicket"


def test_rights_list_reads_principal_right_category_queue(admin_client, general):
    grant("OwnTicket", group=make_group("Tier 2"), queue=general)
    response = admin_client.get(admin_url("tracker.ace", "changelist"), {"q": "Tier"})
    content = response.content.decode()
    assert "Tier 2 (group)" in content
    assert "OwnTicket" in content
    assert "Staff" in content
    assert "General" in content


def test_global_grants_read_all_queues(admin_client):
    response = admin_client.get(
        admin_url("tracker.ace", "changelist"), {"queue": "global"}
    )
    assert "All queues" in response.content.decode()


def test_staff_without_rights_cannot_reach_the_rights_admin(client):
    staff = make_staff(is_staff=True)
    client.force_login(staff)
    assert client.get(admin_url("tracker.ace", "changelist")).status_code == 403
    assert client.get(admin_url("tracker.ace", "add")).status_code == 403


def test_staff_with_show_acl_on_a_queue_sees_only_that_queues_grants(client, general):
    staff = make_staff(is_staff=True)
    other = make_queue("Other")
    grant("ShowACL", user=staff, queue=general)
    grant("OwnTicket", group=make_group("Visible"), queue=general)
    grant("OwnTicket", group=make_group("Hidden"), queue=other)
    client.force_login(staff)
    response = client.get(admin_url("tracker.ace", "changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Visible (group)" in content
    assert "Hidden (group)" not in content


def test_queue_acl_admin_cannot_grant_globally(client, general):
    staff = make_staff(is_staff=True)
    grant("ModifyACL", user=staff, queue=general)
    client.force_login(staff)
    response = client.post(
        admin_url("tracker.ace", "add"),
        grant_form(user=staff.username, right="SeeQueue"),
    )
    assert response.status_code == 200
    assert any("SuperUser" in m for m in messages_of(response))
    assert not ACE.objects.filter(user=staff, right="SeeQueue").exists()
