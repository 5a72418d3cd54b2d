"""Updates from the ticket page, and the composite update_ticket service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import grant, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import Conflict, ValidationFailed
from tracker.models import Transaction, TransactionType
from tracker.principals import nobody, system_user
from tracker.services.updates import update_ticket

pytestmark = pytest.mark.django_db


def _types(ticket):
    return list(
        Transaction.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("type", flat=True)
    )


# --- The service ------------------------------------------------------------------------


def test_update_ticket_replies_and_resolves_in_one_go(staff, ticket):
    update_ticket(ticket=ticket, actor=staff, reply="Fixed.", status="resolved")

    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert _types(ticket)[-2:] == [TransactionType.CORRESPOND, TransactionType.STATUS]


def test_update_ticket_is_all_or_nothing(staff, ticket):
    before = _types(ticket)

    with pytest.raises(ValidationFailed):
        # The reply is written first; the bad status then rolls it back.
        update_ticket(ticket=ticket, actor=staff, reply="Hi", status="nonsense")
    assert _types(ticket) == before


def test_update_ticket_refuses_a_stale_page(staff, ticket):
    loaded = ticket.last_updated
    services.correspond(ticket=ticket, actor=system_user(), body="Meanwhile")
    count = len(_types(ticket))

    with pytest.raises(Conflict):
        update_ticket(
            ticket=ticket, actor=staff, reply="Late", expected_last_updated=loaded
        )
    assert len(_types(ticket)) == count


def test_update_ticket_adds_time_without_a_message(staff, ticket):
    update_ticket(ticket=ticket, actor=staff, time_taken=15)

    ticket.refresh_from_db()
    assert ticket.time_worked == 15


def test_update_ticket_takes_for_oneself(staff, ticket):
    update_ticket(ticket=ticket, actor=staff, owner=staff)

    ticket.refresh_from_db()
    assert ticket.owner == staff


# --- The update form --------------------------------------------------------------------


def _post_update(client, ticket, **data):
    data.setdefault("kind", "reply")
    data.setdefault("last_updated", ticket.last_updated.isoformat())
    return client.post(reverse("ticket-update", args=[ticket.pk]), data)


def test_reply_with_attachment_and_time(client, staff, ticket):
    client.force_login(staff)
    upload = SimpleUploadedFile("trace.log", b"trace data", content_type="text/plain")

    response = _post_update(
        client, ticket, body="Here is the trace.", attachments=[upload], time_taken="20"
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.time_worked == 20
    txn = Transaction.objects.filter(ticket=ticket).latest("id")
    assert txn.type == TransactionType.CORRESPOND
    assert txn.attachments.filter(filename="trace.log").exists()


def test_comment_is_recorded_as_a_comment(client, staff, ticket):
    client.force_login(staff)

    _post_update(client, ticket, kind="comment", body="Internal only")

    assert _types(ticket)[-1] == TransactionType.COMMENT


def test_reply_and_status_in_the_same_update(client, staff, ticket):
    client.force_login(staff)

    _post_update(client, ticket, body="Done", status="resolved")

    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_owner_in_the_same_update(client, staff, ticket):
    client.force_login(staff)

    _post_update(client, ticket, body="Mine now", owner=staff.username)

    ticket.refresh_from_db()
    assert ticket.owner == staff


def test_stale_form_shows_a_warning_and_keeps_the_text(client, staff, ticket):
    client.force_login(staff)
    loaded = ticket.last_updated.isoformat()
    services.correspond(ticket=ticket, actor=system_user(), body="Someone else")

    response = _post_update(
        client, ticket, body="My careful answer", last_updated=loaded
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "since you loaded the page" in html
    assert "My careful answer" in html
    assert not Transaction.objects.filter(ticket=ticket, creator=staff).exists()


def test_empty_update_is_a_form_error_not_a_500(client, staff, ticket):
    client.force_login(staff)

    response = _post_update(client, ticket, body="")

    assert response.status_code == 400
    assert b"Nothing to update" in response.content


def test_unknown_owner_is_a_readable_error(client, staff, ticket):
    client.force_login(staff)

    response = _post_update(client, ticket, body="x", owner="ghost")

    assert response.status_code == 400
    assert b"no active user called" in response.content


def test_update_without_reply_right_is_refused(client):
    queue = make_queue("Ops")
    ticket = make_ticket(queue=queue)
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=queue)
    client.force_login(viewer)

    response = _post_update(client, ticket, body="Let me in")

    assert response.status_code == 400
    assert len(_types(ticket)) == 1


def test_update_of_invisible_ticket_is_404(client, ticket):
    outsider = make_staff()
    client.force_login(outsider)

    assert _post_update(client, ticket, body="Hi").status_code == 404


def test_update_needs_a_csrf_token(staff, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = _post_update(client, ticket, body="No token")

    assert response.status_code == 403
    assert len(_types(ticket)) == 1


# --- Lifecycle actions and owner buttons --------------------------------------------------


def test_lifecycle_actions_are_shown_to_modifiers(client, staff, ticket):
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Open It" in html
    assert "Resolve" in html


def test_lifecycle_actions_hidden_without_the_right(client, general, ticket):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=general)
    grant("ReplyToTicket", user=viewer, queue=general)
    client.force_login(viewer)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Open It" not in html
    assert "Take" not in html


def test_quick_status_action(client, staff, ticket):
    services.set_status(ticket=ticket, status="open", actor=staff)
    client.force_login(staff)

    response = client.post(
        reverse("ticket-action", args=[ticket.pk]),
        {"status": "stalled", "last_updated": ticket.last_updated.isoformat()},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "stalled"


def test_take_button(client, staff, ticket):
    client.force_login(staff)

    client.post(reverse("ticket-action", args=[ticket.pk]), {"owner_action": "take"})

    ticket.refresh_from_db()
    assert ticket.owner == staff


def test_taking_an_owned_ticket_is_a_readable_4xx(client, staff, ticket, general):
    other = make_staff()
    grant("OwnTicket", user=other, queue=general)
    services.set_owner(ticket=ticket, owner=other, actor=system_user())
    client.force_login(staff)

    response = client.post(
        reverse("ticket-action", args=[ticket.pk]), {"owner_action": "take"}
    )

    assert 400 <= response.status_code < 500
    assert b"take" in response.content.lower()


def test_invalid_incident_transition_is_a_409(client, staff):
    queue = make_queue("Incidents", lifecycle="incident")
    grant("ShowTicket", user=staff, queue=queue)
    grant("ModifyTicket", user=staff, queue=queue)
    incident = make_ticket(queue=queue)
    client.force_login(staff)

    response = client.post(
        reverse("ticket-action", args=[incident.pk]), {"status": "closing"}
    )

    assert response.status_code == 409


# --- Basics, people, links, custom fields, merge ----------------------------------------


def test_edit_basics(client, staff, ticket):
    client.force_login(staff)
    form = client.get(reverse("ticket-basics", args=[ticket.pk]))
    assert form.status_code == 200

    response = client.post(
        reverse("ticket-basics", args=[ticket.pk]),
        {
            "subject": "Printer fire (contained)",
            "queue": str(ticket.queue_id),
            "priority": "70",
            "final_priority": "90",
            "time_estimated": "30",
            "time_worked": "0",
            "time_left": "30",
            "due": "2030-01-02T10:00",
            "last_updated": ticket.last_updated.isoformat(),
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.subject == "Printer fire (contained)"
    assert ticket.priority == 70
    assert ticket.due.date() == dt.date(2030, 1, 2)


def test_edit_basics_bad_number_is_a_form_error(client, staff, ticket):
    client.force_login(staff)

    response = client.post(
        reverse("ticket-basics", args=[ticket.pk]),
        {"subject": "x", "queue": str(ticket.queue_id), "priority": "high"},
    )

    assert response.status_code == 400


def test_edit_basics_without_modify_is_403(client, general, ticket):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=general)
    client.force_login(viewer)

    assert client.get(reverse("ticket-basics", args=[ticket.pk])).status_code == 403


def test_add_and_remove_a_cc(client, staff, ticket):
    client.force_login(staff)

    client.post(
        reverse("watcher-add", args=[ticket.pk]),
        {"role": "Cc", "who": "boss@example.com"},
    )
    watcher = ticket.watchers.get(role="Cc")
    client.post(
        reverse("watcher-remove", args=[ticket.pk]),
        {"role": "Cc", "principal_id": watcher.user_id, "principal_type": "user"},
    )

    assert not ticket.watchers.filter(role="Cc").exists()
    assert _types(ticket)[-2:] == [
        TransactionType.ADD_WATCHER,
        TransactionType.DEL_WATCHER,
    ]


def test_add_link_to_visible_ticket(client, staff, ticket):
    other = make_ticket(subject="Buy printer")
    client.force_login(staff)

    client.post(
        reverse("link-add", args=[ticket.pk]),
        {"kind": "DependsOn", "other": str(other.pk)},
    )

    assert ticket.links_out.filter(target=other).exists()


def test_link_to_invisible_ticket_is_404(client, staff, ticket):
    secret = make_ticket(queue=make_queue("Secret"))
    client.force_login(staff)

    response = client.post(
        reverse("link-add", args=[ticket.pk]),
        {"kind": "DependsOn", "other": str(secret.pk)},
    )

    assert response.status_code == 404
    assert not ticket.links_out.exists()


def test_merge_into_another_ticket(client, staff, ticket):
    target = make_ticket(subject="Main printer ticket")
    client.force_login(staff)

    response = client.post(
        reverse("ticket-merge", args=[ticket.pk]), {"target": target.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.merged_into == target


def test_set_custom_field(client, staff, general, ticket):
    from tracker.models import CustomField, QueueCustomField

    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    grant("ModifyCustomField", user=staff, queue=general)
    client.force_login(staff)

    client.post(
        reverse("custom-field-set", args=[ticket.pk, field.pk]), {"values": "High"}
    )

    assert list(ticket.custom_values.values_list("content", flat=True)) == ["High"]


def test_untake_returns_the_ticket_to_nobody(client, staff, ticket):
    services.take(ticket=ticket, actor=staff)
    client.force_login(staff)

    client.post(reverse("ticket-action", args=[ticket.pk]), {"owner_action": "untake"})

    ticket.refresh_from_db()
    assert ticket.owner == nobody()
