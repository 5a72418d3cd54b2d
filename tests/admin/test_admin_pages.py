"""Every admin page a superuser can reach renders."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url
from tests.factories import grant, make_group, make_queue, make_ticket, make_user
from tracker import services
from tracker.models import (
    ACE,
    Attachment,
    CustomField,
    Group,
    Link,
    QueueCustomField,
    Transaction,
)
from tracker.principals import system_user

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "queues.queue",
    "tracker.user",
    "tracker.group",
    "tracker.ace",
    "tracker.customfield",
    "tracker.ticket",
    "tracker.transaction",
    "tracker.attachment",
    "tracker.link",
]
ADD_PAGES = [
    "queues.queue",
    "tracker.user",
    "tracker.group",
    "tracker.ace",
    "tracker.customfield",
]


@pytest.fixture
def populated(general):
    """One of everything, so change pages and tables have rows to show."""
    user = make_user()
    group = make_group("Support", user)
    grant("ShowTicket", group=group, queue=general)
    grant("SeeQueue", user=user)
    services.add_queue_watcher(
        queue=general, role="AdminCc", principal=group, actor=system_user()
    )
    first = make_ticket(requestors=[user])
    second = make_ticket()
    services.add_link(ticket=first, kind="DependsOn", other=second, actor=system_user())
    field = CustomField.objects.create(name="Severity", type="select")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    return {"user": user, "group": group, "ticket": first, "field": field}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_renders_for_superuser(admin_client, populated, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADD_PAGES)
def test_add_page_renders_for_superuser(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200


def test_change_pages_render_for_superuser(admin_client, populated, general):
    ticket = populated["ticket"]
    transaction = Transaction.objects.filter(ticket=ticket).first()
    pages = [
        admin_url("queues.queue", "change", general.pk),
        admin_url("tracker.user", "change", populated["user"].pk),
        admin_url("tracker.group", "change", populated["group"].pk),
        admin_url("tracker.customfield", "change", populated["field"].pk),
        admin_url("tracker.ace", "change", ACE.objects.first().pk),
        admin_url("tracker.ticket", "change", ticket.pk),
        admin_url("tracker.transaction", "change", transaction.pk),
        admin_url("tracker.attachment", "change", Attachment.objects.first().pk),
        admin_url("tracker.link", "change", Link.objects.first().pk),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_system_group_change_page_renders_read_only(admin_client):
    everyone = Group.objects.get(name="Everyone", domain="system")
    response = admin_client.get(admin_url("tracker.group", "change", everyone.pk))
    assert response.status_code == 200
    assert b"Computed" in response.content
    assert b'name="name"' not in response.content


def test_queue_change_page_lists_watchers_and_rights(admin_client, populated, general):
    response = admin_client.get(admin_url("queues.queue", "change", general.pk))
    content = response.content.decode()
    assert "AdminCc" in content
    assert "Support (group)" in content
    assert "ShowTicket" in content
    assert "Add a watcher" in content
    assert "Grant a right on this queue" in content


def test_user_change_page_shows_groups_and_grants_read_only(admin_client, populated):
    user = populated["user"]
    response = admin_client.get(admin_url("tracker.user", "change", user.pk))
    content = response.content.decode()
    assert "Support" in content
    assert "SeeQueue" in content
    assert 'name="groups"' not in content
    assert 'name="user_permissions"' not in content


@pytest.mark.parametrize("username", ["Nobody", "RT_System"])
def test_system_user_page_is_view_only(admin_client, username):
    from tracker.models import User

    system = User.objects.get(username=username)
    response = admin_client.get(admin_url("tracker.user", "change", system.pk))
    assert response.status_code == 200
    assert b'name="username"' not in response.content


def test_service_pages_render_for_superuser(admin_client, populated, general):
    group = populated["group"]
    ace = ACE.objects.filter(group=group).first()
    membership = group.memberships.first()
    watcher = general.watchers.first()
    pages = [
        admin_url("queues.queue", "watcher_add", general.pk),
        admin_url("queues.queue", "watcher_remove", general.pk, watcher.pk),
        admin_url("tracker.group", "member_add", group.pk),
        admin_url("tracker.group", "member_remove", group.pk, membership.pk),
        admin_url("tracker.ace", "delete", ace.pk),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_rights_matrix_shows_grants_of_a_queue_and_global_ones(
    admin_client, populated, general
):
    url = admin_url("tracker.ace", "matrix")
    response = admin_client.get(url, {"queue": general.pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Support (group)" in content
    assert "Requestor (role)" in content  # a global grant shipped with the database
    assert "<em>global</em>" in content
    assert "Privileged (group)" not in content  # it holds only global-only rights


def test_rights_matrix_of_all_queues_lists_system_rights(admin_client, populated):
    response = admin_client.get(admin_url("tracker.ace", "matrix"))
    assert response.status_code == 200
    assert "SuperUser" in response.content.decode()


def test_django_auth_groups_are_not_offered(admin_client):
    response = admin_client.get("/admin/")
    assert b"/admin/auth/group/" not in response.content
    assert b"/admin/tracker/group/" in response.content


def test_queue_changelist_queries_do_not_grow_with_queues(
    admin_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = admin_url("queues.queue", "changelist")
    for _ in range(2):
        make_ticket(queue=make_queue())
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(20):
        make_ticket(queue=make_queue())
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(url)
    assert response.status_code == 200
