"""Dashboards: personal and shared pages of saved searches and charts, within rights."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import (
    STAFF_RIGHTS,
    grant,
    grant_many,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
)
from tests.web.conftest import count_queries
from tracker.models import Dashboard, DashboardItem, SavedSearch
from tracker.services.dashboards import add_dashboard_item, create_dashboard

pytestmark = pytest.mark.django_db


def _create(client, **data):
    data.setdefault("group", "")
    return client.post(reverse("dashboard-create"), data)


def test_create_a_private_dashboard_and_open_it(client, staff):
    client.force_login(staff)

    response = _create(client, name="Team view")

    dashboard = Dashboard.objects.get(owner=staff)
    assert response.status_code == 302
    assert response["Location"] == dashboard.get_absolute_url()
    page = client.get(dashboard.get_absolute_url())
    assert page.status_code == 200
    assert b"Team view" in page.content


def test_dashboard_without_a_name_is_a_form_error(client, staff):
    client.force_login(staff)

    response = _create(client, name="")

    assert response.status_code == 400
    assert not Dashboard.objects.exists()


def test_private_dashboard_is_a_404_for_others(client, staff):
    dashboard = create_dashboard(actor=staff, name="Mine")
    other = make_staff()
    client.force_login(other)

    assert client.get(dashboard.get_absolute_url()).status_code == 404
    assert b"Mine" not in client.get(reverse("dashboard-list")).content


def test_shared_dashboard_is_shown_to_group_members(client, staff):
    other = make_staff()
    team = make_group("Team", staff, other)
    grant("CreateDashboard", user=staff)
    dashboard = create_dashboard(actor=staff, name="Team board", group=team)
    client.force_login(other)

    assert b"Team board" in client.get(reverse("dashboard-list")).content
    assert client.get(dashboard.get_absolute_url()).status_code == 200


def test_sharing_needs_the_create_dashboard_right(client, staff):
    team = make_group("Team", staff)
    client.force_login(staff)

    response = _create(client, name="Shared", group=str(team.pk))

    assert response.status_code == 400
    assert not Dashboard.objects.exists()


def test_add_a_chart_and_see_its_numbers_as_a_table(client, staff):
    make_ticket(subject="Open one")
    dashboard = create_dashboard(actor=staff, name="Charts")
    client.force_login(staff)

    response = client.post(
        reverse("dashboard-item-add", args=[dashboard.pk]),
        {"chart": "open_by_queue_status", "days": 30, "rows": 10, "queue": ""},
    )

    assert response.status_code == 302
    page = client.get(dashboard.get_absolute_url()).content.decode()
    assert 'data-chart="open_by_queue_status"' in page
    assert '<th scope="row">General</th>' in page


def test_add_a_saved_search_and_see_its_first_rows(client, staff):
    make_ticket(subject="Printer jammed")
    make_ticket(subject="Coffee machine")
    saved = SavedSearch.objects.create(
        owner=staff, name="Printers", query="Subject LIKE 'printer'"
    )
    dashboard = create_dashboard(actor=staff, name="Searches")
    client.force_login(staff)

    client.post(
        reverse("dashboard-item-add", args=[dashboard.pk]),
        {"saved_search": saved.pk, "days": 30, "rows": 5, "queue": ""},
    )

    page = client.get(dashboard.get_absolute_url()).content
    assert b"Printer jammed" in page
    assert b"Coffee machine" not in page


def test_shared_dashboard_shows_each_member_only_their_tickets(client, staff):
    secret = make_queue("Secret")
    grant_many(STAFF_RIGHTS, user=staff, queue=secret)
    make_ticket(queue=secret, subject="Secret matter")
    other = make_staff()
    team = make_group("Team", staff, other)
    grant("CreateDashboard", user=staff)
    saved = SavedSearch.objects.create(owner=staff, name="All", query="id > 0")
    dashboard = create_dashboard(actor=staff, name="Team", group=team)
    add_dashboard_item(dashboard=dashboard, actor=staff, saved_search=saved)
    add_dashboard_item(dashboard=dashboard, actor=staff, chart="open_by_queue_status")
    client.force_login(other)

    page = client.get(dashboard.get_absolute_url()).content

    assert b"Secret" not in page


def test_cannot_add_someone_elses_private_search(client, staff):
    other = make_staff()
    theirs = SavedSearch.objects.create(owner=other, name="Theirs", query="id > 0")
    dashboard = create_dashboard(actor=staff, name="Mine")
    client.force_login(staff)

    response = client.post(
        reverse("dashboard-item-add", args=[dashboard.pk]),
        {"saved_search": theirs.pk, "days": 30, "rows": 5, "queue": ""},
    )

    assert response.status_code == 400
    assert not DashboardItem.objects.exists()


def test_members_without_modify_right_cannot_change_a_shared_dashboard(client, staff):
    other = make_staff()
    team = make_group("Team", staff, other)
    grant("CreateDashboard", user=staff)
    dashboard = create_dashboard(actor=staff, name="Team", group=team)
    client.force_login(other)

    response = client.post(
        reverse("dashboard-item-add", args=[dashboard.pk]),
        {"chart": "backlog_age", "days": 30, "rows": 5, "queue": ""},
    )

    assert response.status_code == 403
    assert not DashboardItem.objects.exists()


def test_items_move_up_and_down(client, staff):
    dashboard = create_dashboard(actor=staff, name="Order")
    first = add_dashboard_item(dashboard=dashboard, actor=staff, chart="backlog_age")
    second = add_dashboard_item(dashboard=dashboard, actor=staff, chart="open_by_owner")
    client.force_login(staff)

    client.post(
        reverse("dashboard-item-move", args=[dashboard.pk, second.pk]),
        {"direction": "up"},
    )

    assert list(dashboard.items.values_list("pk", flat=True)) == [second.pk, first.pk]


def test_remove_an_item_and_delete_the_dashboard(client, staff):
    dashboard = create_dashboard(actor=staff, name="Short-lived")
    item = add_dashboard_item(dashboard=dashboard, actor=staff, chart="backlog_age")
    client.force_login(staff)

    client.post(reverse("dashboard-item-remove", args=[dashboard.pk, item.pk]))
    client.post(reverse("dashboard-delete", args=[dashboard.pk]))

    assert not Dashboard.objects.exists()
    assert not DashboardItem.objects.exists()


def test_customers_have_no_dashboards(client, customer):
    client.force_login(customer)

    assert client.get(reverse("dashboard-list")).status_code == 404


def test_dashboard_query_count_does_not_grow_with_tickets(client, staff):
    saved = SavedSearch.objects.create(owner=staff, name="All", query="id > 0")
    dashboard = create_dashboard(actor=staff, name="Big")
    add_dashboard_item(dashboard=dashboard, actor=staff, saved_search=saved, rows=50)
    add_dashboard_item(dashboard=dashboard, actor=staff, chart="open_by_owner")
    make_ticket()
    client.force_login(staff)
    url = dashboard.get_absolute_url()
    few = count_queries(client, url)
    for _n in range(30):
        make_ticket()

    assert count_queries(client, url) == few
