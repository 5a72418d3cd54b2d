"""PUT /ticket/:id, DELETE /ticket/:id, owner verbs and PUT /tickets/bulk."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import (
    STAFF_RIGHTS,
    grant,
    grant_many,
    make_queue,
    make_ticket,
    make_user,
)
from tracker import services
from tracker.models import CustomField, Link, QueueCustomField, TicketWatcher
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff):
    return make_ticket(subject="Disk full", requestors=["alice@example.org"])


def test_update_answers_with_rt_style_messages(api, ticket):
    response = api.put(
        f"ticket/{ticket.pk}",
        {"Subject": "Disk full on db1", "Priority": 3, "Status": "open"},
    )

    assert response.status_code == 200, response.content
    assert response.json() == [
        f"Ticket {ticket.pk}: Subject changed from 'Disk full' to 'Disk full on db1'",
        f"Ticket {ticket.pk}: Priority changed from '0' to '3'",
        f"Ticket {ticket.pk}: Status changed from 'new' to 'open'",
    ]
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.status) == (
        "Disk full on db1",
        3,
        "open",
    )


def test_update_with_nothing_changed_answers_an_empty_list(api, ticket):
    response = api.put(f"ticket/{ticket.pk}", {"Subject": "Disk full", "id": ticket.pk})

    assert response.status_code == 200
    assert response.json() == []


def test_update_is_all_or_nothing(api, ticket):
    response = api.put(f"ticket/{ticket.pk}", {"Subject": "changed", "Status": "bogus"})

    assert response.status_code == 400
    assert "'bogus' isn't a valid status" in response.json()["message"]
    ticket.refresh_from_db()
    assert ticket.subject == "Disk full"


def test_update_without_modify_ticket_is_403(general, ticket):
    viewer = make_user(username="viewer")
    grant("ShowTicket", user=viewer, queue=general)

    response = Api(viewer).put(f"ticket/{ticket.pk}", {"Subject": "mine now"})

    assert response.status_code == 403
    assert response.json()["message"].startswith("Permission denied")


def test_forbidden_transition_is_409():
    quarantine = make_queue("IR", lifecycle="incident")
    handler = make_user(privileged=True, username="handler")
    grant_many(STAFF_RIGHTS, user=handler, queue=quarantine)
    ticket = make_ticket(queue=quarantine)

    response = Api(handler).put(f"ticket/{ticket.pk}", {"Status": "closing"})

    assert response.status_code == 409
    assert "can't change status from 'new' to 'closing'" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"Priority": "lots"}, "Priority must be a whole number"),
        ({"TimeWorked": -5}, "cannot be negative"),
        ({"Due": 12}, "Due must be a date string"),
        ({"Nonsense": 1}, "Unknown field(s): Nonsense"),
        ({"Owner": ["a"]}, "Owner must be a string"),
        ({"CustomFields": "x"}, "CustomFields must be"),
        ({"AddCc": {"x": 1}}, "AddCc must be"),
    ],
)
def test_update_rejects_bad_values(api, ticket, body, fragment):
    response = api.put(f"ticket/{ticket.pk}", body)

    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_update_owner_queue_and_dates(api, staff, ticket, general):
    other = make_queue("Support")
    grant_many(STAFF_RIGHTS, user=staff, queue=other)

    response = api.put(
        f"ticket/{ticket.pk}",
        {"Owner": "staff", "Queue": "Support", "Due": "2031-01-02 03:04:05"},
    )

    assert response.status_code == 200, response.content
    messages = response.json()
    assert f"Ticket {ticket.pk}: Queue changed from General to Support" in messages
    assert f"Ticket {ticket.pk}: Owner changed from Nobody to staff" in messages
    ticket.refresh_from_db()
    assert ticket.queue == other
    assert ticket.owner == staff
    assert ticket.due is not None


def test_update_watchers_replace_add_and_delete(api, ticket):
    response = api.put(
        f"ticket/{ticket.pk}",
        {
            "Requestor": ["bob@example.org"],
            "AddCc": "carol@example.org",
        },
    )

    assert response.status_code == 200, response.content
    watchers = set(
        TicketWatcher.objects.filter(ticket=ticket).values_list("role", "user__email")
    )
    assert watchers == {("Requestor", "bob@example.org"), ("Cc", "carol@example.org")}
    api.put(f"ticket/{ticket.pk}", {"DeleteCc": "carol@example.org"})
    assert not TicketWatcher.objects.filter(ticket=ticket, role="Cc").exists()
    missing = api.put(f"ticket/{ticket.pk}", {"DeleteCc": "carol@example.org"})
    assert missing.status_code == 404


def test_update_links(api, ticket):
    other = make_ticket(subject="Root cause")

    response = api.put(
        f"ticket/{ticket.pk}",
        {"AddDependsOn": [other.pk], "RefersTo": ["https://example.org/x"]},
    )

    assert response.status_code == 200, response.content
    assert Link.objects.filter(base=ticket, target=other, type="DependsOn").exists()
    assert Link.objects.filter(base=ticket, target_uri="https://example.org/x").exists()
    api.put(f"ticket/{ticket.pk}", {"DependsOn": []})
    assert not Link.objects.filter(base=ticket, type="DependsOn").exists()
    parent = make_ticket(subject="Parent")
    api.put(f"ticket/{ticket.pk}", {"Parent": [parent.pk]})
    assert Link.objects.filter(base=ticket, target=parent, type="MemberOf").exists()
    bad = api.put(f"ticket/{ticket.pk}", {"AddDependsOn": ["999999"]})
    assert bad.status_code == 404


def test_update_custom_fields(api, staff, ticket, general):
    field = CustomField.objects.create(name="Host", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    grant_many(["ModifyCustomField", "SeeCustomField"], user=staff, queue=general)

    response = api.put(f"ticket/{ticket.pk}", {"CustomFields": {"Host": "db1, db2"}})

    assert response.status_code == 200, response.content
    assert response.json() == [f"Ticket {ticket.pk}: Host db1, db2 added"]
    shown = api.get(f"ticket/{ticket.pk}").json()["CustomFields"]
    assert shown[0]["values"] == ["db1, db2"]
    unknown = api.put(f"ticket/{ticket.pk}", {"CustomFields": {"Nope": "x"}})
    assert unknown.status_code == 404


def test_delete_needs_delete_ticket(api, staff, ticket, general):
    response = api.delete(f"ticket/{ticket.pk}")

    assert response.status_code == 403
    assert "DeleteTicket" in response.json()["message"]
    grant("DeleteTicket", user=staff, queue=general)
    assert api.delete(f"ticket/{ticket.pk}").status_code == 204
    ticket.refresh_from_db()
    assert ticket.status == "deleted"


def test_take_untake_steal(api, staff, ticket, general):
    taken = api.put(f"ticket/{ticket.pk}/take")

    assert taken.status_code == 200
    assert taken.json() == [f"Ticket {ticket.pk}: Owner changed from Nobody to staff"]
    again = api.put(f"ticket/{ticket.pk}/take")
    assert again.status_code == 400
    assert again.json() == {"message": "staff already owns this ticket."}
    assert api.put(f"ticket/{ticket.pk}/untake").json() == [
        f"Ticket {ticket.pk}: Owner changed from staff to Nobody"
    ]
    services.set_owner(ticket=ticket, owner=staff, actor=system_user(), force=True)
    thief = make_user(privileged=True, username="thief")
    grant_many(["ShowTicket", "OwnTicket"], user=thief, queue=general)
    assert Api(thief).put(f"ticket/{ticket.pk}/steal").status_code == 403
    grant("StealTicket", user=thief, queue=general)
    stolen = Api(thief).put(f"ticket/{ticket.pk}/steal")
    assert stolen.json() == [f"Ticket {ticket.pk}: Owner changed from staff to thief"]


def test_owner_verbs_need_put(api, ticket):
    response = api.get(f"ticket/{ticket.pk}/take")

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "GET" not allowed.'}


def test_bulk_update_reports_per_ticket(api, ticket, outsider):
    hidden = make_ticket(queue=make_queue("Hidden"))

    response = api.put(
        "tickets/bulk",
        [
            {"id": ticket.pk, "Priority": 9},
            {"id": hidden.pk, "Priority": 9},
            {"Priority": 1},
        ],
    )

    assert response.status_code == 200
    assert response.json() == [
        [str(ticket.pk), f"Ticket {ticket.pk}: Priority changed from '0' to '9'"],
        [str(hidden.pk), f"No ticket #{hidden.pk} that you may see."],
        ["None", "id must be a whole number."],
    ]


def test_get_sends_etag_and_honours_if_none_match(api, ticket):
    first = api.get(f"ticket/{ticket.pk}")
    etag = first["ETag"]

    assert first["Last-Modified"]
    again = api.client.get(f"/REST/2.0/ticket/{ticket.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    api.put(f"ticket/{ticket.pk}", {"Priority": 2})
    changed = api.client.get(f"/REST/2.0/ticket/{ticket.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_update_with_a_stale_if_match_is_412(api, ticket):
    etag = api.get(f"ticket/{ticket.pk}")["ETag"]
    api.put(f"ticket/{ticket.pk}", {"Priority": 2})

    stale = api.client.put(
        f"/REST/2.0/ticket/{ticket.pk}",
        '{"Priority": 3}',
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )

    assert stale.status_code == 412
    assert stale.json() == {"message": "The ticket changed since you read it."}
    fresh = api.get(f"ticket/{ticket.pk}")["ETag"]
    ok = api.client.put(
        f"/REST/2.0/ticket/{ticket.pk}",
        '{"Priority": 3}',
        content_type="application/json",
        HTTP_IF_MATCH=fresh,
    )
    assert ok.status_code == 200
