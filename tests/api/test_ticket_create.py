"""POST /ticket and POST /tickets/bulk."""

from __future__ import annotations

import base64

import pytest

from tests.api.conftest import Api
from tests.factories import grant, make_admin, make_queue
from tracker.models import Attachment, CustomField, QueueCustomField, Ticket

pytestmark = pytest.mark.django_db


def test_create_with_rt_fields(api, staff, general):
    response = api.post(
        "ticket",
        {
            "Queue": "General",
            "Subject": "VPN is down",
            "Requestor": ["carol@example.org"],
            "Cc": "dave@example.org",
            "Owner": "staff",
            "Status": "open",
            "Priority": 7,
            "Due": "2030-05-01T10:00:00Z",
            "Content": "Since 9am.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=int(body["id"]))
    assert body == {
        "type": "ticket",
        "id": str(ticket.pk),
        "_url": f"http://testserver/REST/2.0/ticket/{ticket.pk}",
    }
    assert response["Location"] == body["_url"]
    assert ticket.subject == "VPN is down"
    assert ticket.status == "open"
    assert ticket.owner == staff
    assert ticket.priority == 7
    assert ticket.due.isoformat() == "2030-05-01T10:00:00+00:00"
    shown = api.get(f"ticket/{ticket.pk}").json()
    assert [r["id"] for r in shown["Requestor"]] == ["carol@example.org"]
    assert [r["id"] for r in shown["Cc"]] == ["dave@example.org"]
    content = Attachment.objects.get(transaction__ticket=ticket).content
    assert content == "Since 9am."


def test_creator_is_requestor_by_default_and_queue_by_id(api, staff, general):
    response = api.post("ticket", {"Queue": general.pk, "Subject": "x"})

    ticket = Ticket.objects.get(pk=int(response.json()["id"]))
    assert list(ticket.watchers.values_list("user__username", "role")) == [
        ("staff", "Requestor")
    ]


def test_create_with_base64_attachments(api):
    payload = b"\x89PNG fake image"
    response = api.post(
        "ticket",
        {
            "Queue": "General",
            "Subject": "Screenshot",
            "Content": "See attached.",
            "Attachments": [
                {
                    "FileName": "shot.png",
                    "FileType": "image/png",
                    "FileContent": base64.b64encode(payload).decode(),
                }
            ],
        },
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=int(response.json()["id"]))
    part = Attachment.objects.get(transaction__ticket=ticket, filename="shot.png")
    assert part.content_type == "image/png"
    assert part.file.read() == payload


def test_create_sets_custom_fields(api, staff, general):
    field = CustomField.objects.create(name="Severity", type="select")
    field.choices.create(name="high")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    grant("SeeCustomField", user=staff, queue=general)
    grant("SetInitialCustomField", user=staff, queue=general)

    response = api.post(
        "ticket",
        {"Queue": "General", "Subject": "x", "CustomFields": {"Severity": "high"}},
    )

    assert response.status_code == 201, response.content
    shown = api.get(f"ticket/{response.json()['id']}").json()
    assert shown["CustomFields"][0]["values"] == ["high"]
    bad = api.post(
        "ticket",
        {"Queue": "General", "Subject": "x", "CustomFields": {"Severity": "nope"}},
    )
    assert bad.status_code == 400
    assert "Severity" in bad.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"Subject": "no queue"}, 400, "Queue is required"),
        ({"Queue": "Nowhere", "Subject": "x"}, 400, "Invalid queue"),
        ({"Queue": ["General"], "Subject": "x"}, 400, "Queue must be"),
        ({"Queue": "General", "Subject": {"a": 1}}, 400, "Subject must be a string"),
        ({"Queue": "General", "Priority": "high"}, 400, "Priority must be a whole"),
        ({"Queue": "General", "Priority": True}, 400, "Priority must be a whole"),
        ({"Queue": "General", "Due": "next tuesday-ish"}, 400, "is not a date"),
        ({"Queue": "General", "Status": "resolvedish"}, 409, "cannot start as"),
        ({"Queue": "General", "Owner": "ghost"}, 400, "No user named 'ghost'"),
        ({"Queue": "General", "Bogus": 1}, 400, "Unknown field(s): Bogus"),
        ({"Queue": "General", "ContentType": "image/gif"}, 400, "ContentType"),
        ({"Queue": "General", "Attachments": "x"}, 400, "Attachments must be a list"),
        (
            {
                "Queue": "General",
                "Attachments": [{"FileName": "a", "FileContent": "!!"}],
            },
            400,
            "not valid base64",
        ),
        ({"Queue": "General", "CustomFields": ["x"]}, 400, "CustomFields must be"),
        ({"Queue": "General", "Requestor": {"x": 1}}, 400, "Requestor must be"),
    ],
)
def test_create_rejects_bad_input_with_a_json_message(api, body, status, fragment):
    response = api.post("ticket", body)

    assert response.status_code == status, response.content
    assert fragment in response.json()["message"]
    assert not Ticket.objects.exists()


def test_malformed_json_is_400(api):
    response = api.post("ticket", raw='{"Queue": "General",')

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["message"]


def test_body_that_is_not_an_object_is_400(api):
    response = api.post("ticket", ["General"])

    assert response.status_code == 400
    assert response.json() == {"message": "The request body must be a JSON object."}


def test_oversize_attachment_is_400(api, settings):
    settings.TRACKER_MAX_ATTACHMENT_SIZE = 10
    response = api.post(
        "ticket",
        {
            "Queue": "General",
            "Attachments": [
                {
                    "FileName": "big.bin",
                    "FileContent": base64.b64encode(b"x" * 50).decode(),
                }
            ],
        },
    )

    assert response.status_code == 400
    assert "the limit is 10 bytes" in response.json()["message"]


def test_create_without_create_ticket_right_is_403(outsider):
    make_queue("Locked")

    response = Api(outsider).post("ticket", {"Queue": "Locked", "Subject": "x"})

    assert response.status_code == 403
    assert "CreateTicket" in response.json()["message"]


def test_create_in_a_disabled_queue_is_400():
    make_queue("Closed", is_active=False)

    response = Api(make_admin()).post("ticket", {"Queue": "Closed"})

    assert response.status_code == 400
    assert response.json() == {"message": "Queue 'Closed' is disabled."}


def test_bulk_create_reports_each_item(api):
    response = api.post(
        "tickets/bulk",
        [
            {"Queue": "General", "Subject": "one"},
            {"Queue": "Nowhere", "Subject": "two"},
            "not an object",
            {"Queue": "General", "Subject": "three"},
        ],
    )

    assert response.status_code == 201
    body = response.json()
    assert body[0]["type"] == "ticket"
    assert body[1] == {"message": "Invalid queue: 'Nowhere'."}
    assert body[2] == {"message": "Each item must be a JSON object."}
    assert body[3]["type"] == "ticket"
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["one", "three"]


def test_bulk_needs_an_array(api):
    response = api.post("tickets/bulk", {"Queue": "General"})

    assert response.status_code == 400
    assert response.json() == {"message": "The request body must be a JSON array."}
