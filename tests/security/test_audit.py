"""The admin history: rights, lifecycles, scrips and users, with actor and time, append-only."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from audit.context import acting_as
from audit.models import Action, AppendOnlyError, Area, AuditEntry
from lifecycles.models import Lifecycle
from scrips.models import Template
from tests.factories import make_admin, make_queue, make_staff, make_user
from tracker import services
from tracker.models import ACE

pytestmark = [pytest.mark.django_db, pytest.mark.security]


def entries_for(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("id")
    )


@pytest.fixture
def boss():
    return make_admin(username="boss")


def test_granting_a_right_records_the_actor_and_the_time(boss):
    queue = make_queue("Audited")
    agent = make_staff(username="agent7")

    with acting_as(boss):
        ace = services.grant_right(
            right="ShowTicket", actor=boss, user=agent, queue=queue
        )

    [entry] = entries_for(ace)
    assert (entry.area, entry.action, entry.actor_name) == (
        Area.RIGHTS,
        Action.CREATE,
        "boss",
    )
    assert entry.actor_id == boss.pk
    assert entry.changes["right"] == "ShowTicket"
    assert entry.at is not None


def test_revoking_a_right_is_recorded(boss):
    agent = make_staff(username="agent8")
    ace = services.grant_right(right="ShowTicket", actor=boss, user=agent, queue=None)
    ace_id = ace.pk

    with acting_as(boss):
        services.revoke_right(ace=ace, actor=boss)

    entry = AuditEntry.objects.filter(
        object_type="tracker.ace", object_id=str(ace_id), action=Action.DELETE
    ).get()
    assert entry.actor_name == "boss"
    assert entry.changes["right"] == "ShowTicket"
    assert not ACE.objects.filter(pk=ace_id).exists()


def test_a_change_made_through_the_api_names_the_logged_in_admin(boss):
    client = Client()
    client.force_login(boss)

    response = client.post(
        "/REST/2.0/user",
        json.dumps({"Name": "newhire", "EmailAddress": "newhire@example.org"}),
        content_type="application/json",
    )

    assert response.status_code == 201
    entry = AuditEntry.objects.filter(area=Area.USER, action=Action.CREATE).latest("id")
    assert entry.actor_name == "boss"
    assert entry.object_repr.startswith("newhire")


def test_user_changes_list_the_fields_but_never_the_password_hash(boss):
    user = make_user(username="changeling", password="first secret")

    with acting_as(boss):
        user.set_password("second secret")
        user.real_name = "Changed Name"
        user.save()

    change = [e for e in entries_for(user) if e.action == Action.CHANGE][-1]
    assert change.changes["password"] == "changed"
    assert change.changes["real_name"] == ["", "Changed Name"]
    assert "second secret" not in json.dumps(change.changes)
    assert user.password not in json.dumps([e.changes for e in entries_for(user)])


def test_login_alone_writes_no_user_entry():
    user = make_user(username="regular", password="pw-for-login")
    before = AuditEntry.objects.count()

    assert Client().login(username="regular", password="pw-for-login")

    user.refresh_from_db()
    assert user.last_login is not None
    assert AuditEntry.objects.count() == before


def test_lifecycle_edits_are_recorded(boss):
    lifecycle = Lifecycle.objects.get(name="default")

    with acting_as(boss):
        lifecycle.description = "Edited by the boss"
        lifecycle.save()

    change = entries_for(lifecycle)[-1]
    assert (change.area, change.action, change.actor_name) == (
        Area.LIFECYCLE,
        Action.CHANGE,
        "boss",
    )
    assert change.changes["description"][1] == "Edited by the boss"


def test_scrip_template_changes_are_recorded(boss):
    with acting_as(boss):
        template = Template.objects.create(
            name="Audit probe", content="Subject: x\n\nHi"
        )
        template.content = "Subject: y\n\nHello"
        template.save()
        template_id = template.pk
        template.delete()

    kinds = [
        e.action
        for e in AuditEntry.objects.filter(
            object_type="scrips.template", object_id=str(template_id)
        ).order_by("id")
    ]
    assert kinds == [Action.CREATE, Action.CHANGE, Action.DELETE]


def test_changes_without_a_request_or_actor_are_attributed_to_the_system():
    queue = make_queue("Nightly")

    [entry] = entries_for(queue)

    assert (entry.actor_id, entry.actor_name) == (None, "system")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(boss):
    with acting_as(boss):
        make_queue("Locked")
    entry = AuditEntry.objects.latest("id")

    entry.actor_name = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_to_rewrite_history(boss):
    with acting_as(boss):
        make_queue("Forged")
    entry = AuditEntry.objects.latest("id")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_auditentry SET actor_name = %s WHERE id = %s",
            ["mallory", entry.pk],
        )

    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "boss"


def test_the_audit_history_is_read_only_in_the_admin(boss):
    client = Client()
    client.force_login(boss)
    with acting_as(boss):
        make_queue("Shown")
    entry = AuditEntry.objects.latest("id")

    listing = client.get("/admin/audit/auditentry/")
    add = client.get("/admin/audit/auditentry/add/")
    delete = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "Shown" in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
