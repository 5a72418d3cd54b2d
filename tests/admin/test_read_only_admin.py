"""Tickets and history are read-only in the admin; their lists cost constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin.conftest import admin_url
from tests.factories import grant, make_queue, make_staff, make_ticket
from tracker.models import Attachment, Ticket, Transaction

pytestmark = pytest.mark.django_db


def test_ticket_admin_has_no_add_page(admin_client):
    assert admin_client.get(admin_url("tracker.ticket", "add")).status_code == 403


def test_ticket_admin_refuses_changes(admin_client):
    ticket = make_ticket(subject="Printer on fire")
    response = admin_client.post(
        admin_url("tracker.ticket", "change", ticket.pk), {"subject": "Changed"}
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.subject == "Printer on fire"


def test_ticket_admin_refuses_deletion(admin_client):
    ticket = make_ticket()
    response = admin_client.post(
        admin_url("tracker.ticket", "delete", ticket.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_ticket_change_page_is_viewable_with_watchers(admin_client, general):
    ticket = make_ticket(requestors=["someone@example.org"])
    response = admin_client.get(admin_url("tracker.ticket", "change", ticket.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "someone@example.org" in content
    assert 'name="subject"' not in content


def test_transaction_admin_refuses_add_change_and_delete(admin_client):
    txn = Transaction.objects.get(ticket=make_ticket())
    before = (txn.type, txn.new_value)
    assert admin_client.get(admin_url("tracker.transaction", "add")).status_code == 403
    change = admin_client.post(
        admin_url("tracker.transaction", "change", txn.pk), {"new_value": "x"}
    )
    delete = admin_client.post(
        admin_url("tracker.transaction", "delete", txn.pk), {"post": "yes"}
    )
    assert (change.status_code, delete.status_code) == (403, 403)
    txn.refresh_from_db()
    assert (txn.type, txn.new_value) == before


def test_attachment_admin_refuses_changes(admin_client):
    make_ticket(body="Original body")
    attachment = Attachment.objects.get()
    response = admin_client.post(
        admin_url("tracker.attachment", "change", attachment.pk),
        {"content": "Rewritten"},
    )
    assert response.status_code == 403
    attachment.refresh_from_db()
    assert attachment.content == "Original body"


def test_ticket_search_finds_a_ticket_by_number(admin_client):
    ticket = make_ticket(subject="Needle")
    make_ticket(subject="Haystack")
    response = admin_client.get(
        admin_url("tracker.ticket", "changelist"), {"q": f"#{ticket.pk}"}
    )
    content = response.content.decode()
    assert "Needle" in content
    assert "Haystack" not in content


def test_staff_sees_only_tickets_they_may_see(client, general):
    staff = make_staff(is_staff=True)
    grant("ShowTicket", user=staff, queue=general)
    make_ticket(subject="In General")
    make_ticket(queue=make_queue("Secret"), subject="In Secret")
    client.force_login(staff)
    response = client.get(admin_url("tracker.ticket", "changelist"))
    content = response.content.decode()
    assert "In General" in content
    assert "In Secret" not in content


def test_staff_without_show_ticket_comments_sees_no_comment_history(client, general):
    from tracker import services
    from tracker.principals import system_user

    staff = make_staff(is_staff=True)
    grant("ShowTicket", user=staff, queue=general)
    ticket = make_ticket()
    services.comment(ticket=ticket, body="Private note", actor=system_user())
    client.force_login(staff)
    response = client.get(admin_url("tracker.transaction", "changelist"))
    shown = {txn.type for txn in response.context["cl"].result_list}
    assert "Create" in shown
    assert "Comment" not in shown


def test_ticket_changelist_queries_do_not_grow_with_tickets(
    admin_client, django_assert_max_num_queries
):
    url = admin_url("tracker.ticket", "changelist")
    for _ in range(3):
        make_ticket()
    with CaptureQueriesContext(connection) as three:
        admin_client.get(url)
    for _ in range(27):
        make_ticket()
    with django_assert_max_num_queries(len(three)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30


def test_transaction_changelist_queries_do_not_grow_with_history(
    admin_client, django_assert_max_num_queries
):
    url = admin_url("tracker.transaction", "changelist")
    for _ in range(3):
        make_ticket()
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(27):
        make_ticket()
    with django_assert_max_num_queries(len(few)):
        admin_client.get(url)
