"""Replies and comments (JSON and multipart), history, transactions and attachments."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import Api
from tests.factories import grant, make_queue, make_ticket, make_user
from tracker.models import Attachment, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff):
    return make_ticket(subject="Mail bounces", body="Every message to sales@ bounces.")


def test_correspond_with_status_and_time_taken(api, ticket):
    response = api.post(
        f"ticket/{ticket.pk}/correspond",
        {"Content": "Looking into it.", "TimeTaken": 5, "Status": "open"},
    )

    assert response.status_code == 201, response.content
    assert response.json() == [
        "Correspondence added",
        f"Ticket {ticket.pk}: Status changed from 'new' to 'open'",
    ]
    ticket.refresh_from_db()
    assert ticket.time_worked == 5
    assert ticket.status == "open"
    reply = Transaction.objects.filter(ticket=ticket, type="Correspond").get()
    assert reply.attachments.get().content == "Looking into it."


def test_comment_with_json_attachment(api, ticket):
    response = api.post(
        f"ticket/{ticket.pk}/comment",
        {
            "Content": "<p>Log attached</p>",
            "ContentType": "text/html",
            "Attachments": [
                {
                    "FileName": "mail.log",
                    "FileType": "text/plain",
                    "FileContent": base64.b64encode(b"550 no such user").decode(),
                }
            ],
        },
    )

    assert response.status_code == 201, response.content
    assert response.json() == ["Comments added"]
    comment = Transaction.objects.get(ticket=ticket, type="Comment")
    types = sorted(comment.attachments.values_list("content_type", flat=True))
    assert types == ["multipart/mixed", "text/html", "text/plain"]


def test_multipart_reply_with_files(api, ticket):
    response = api.multipart(
        f"ticket/{ticket.pk}/correspond",
        {
            "JSON": json.dumps({"Content": "Two files", "Subject": "Logs"}),
            "Attachments": [
                SimpleUploadedFile("a.txt", b"first", content_type="text/plain"),
                SimpleUploadedFile(
                    "b.bin", b"\x00\x01", content_type="application/octet-stream"
                ),
            ],
        },
    )

    assert response.status_code == 201, response.content
    names = set(
        Attachment.objects.filter(
            transaction__ticket=ticket, transaction__type="Correspond"
        )
        .exclude(filename="")
        .values_list("filename", flat=True)
    )
    assert names == {"a.txt", "b.bin"}


def test_multipart_oversize_file_is_400(api, ticket, settings):
    settings.TRACKER_MAX_ATTACHMENT_SIZE = 3

    response = api.multipart(
        f"ticket/{ticket.pk}/comment",
        {
            "JSON": json.dumps({"Content": "big"}),
            "Attachments": [SimpleUploadedFile("big.txt", b"0123456789")],
        },
    )

    assert response.status_code == 400
    assert "the limit is 3 bytes" in response.json()["message"]


def test_multipart_with_broken_json_part_is_400(api, ticket):
    response = api.multipart(f"ticket/{ticket.pk}/comment", {"JSON": "{nope"})

    assert response.status_code == 400
    assert response.json() == {"message": "The JSON part is not valid JSON."}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "The message is empty."),
        ({"Content": "x", "TimeTaken": "ten"}, "TimeTaken must be a whole number"),
        ({"Content": "x", "TimeTaken": -1}, "Time taken must be"),
        ({"Content": "x", "Cc": "a@b.c"}, "Unknown field(s): Cc"),
        ({"Content": "x", "Status": "nonsense"}, "isn't a valid status"),
    ],
)
def test_message_errors(api, ticket, body, fragment):
    response = api.post(f"ticket/{ticket.pk}/comment", body)

    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert not Transaction.objects.filter(ticket=ticket, type="Comment").exists()


def test_comment_needs_comment_right():
    quiet = make_queue("Quiet")
    ticket = make_ticket(queue=quiet)
    viewer = make_user(username="viewer")
    grant("ShowTicket", user=viewer, queue=quiet)

    response = Api(viewer).post(f"ticket/{ticket.pk}/comment", {"Content": "hi"})

    assert response.status_code == 403


def test_history_lists_transactions_with_fields(api, ticket):
    api.post(f"ticket/{ticket.pk}/comment", {"Content": "internal"})

    body = api.get(
        f"ticket/{ticket.pk}/history", fields="Type,Creator,Description,Bogus"
    ).json()

    assert body["total"] == 2
    assert [item["Type"] for item in body["items"]] == ["Create", "Comment"]
    first = body["items"][0]
    assert first["type"] == "transaction"
    assert first["_url"].endswith(f"/transaction/{first['id']}")
    assert first["Creator"]["id"] == "RT_System"
    assert first["Description"] == "Ticket created"
    assert "Bogus" not in first


def test_history_hides_comments_without_show_ticket_comments(ticket, general):
    viewer = make_user(username="viewer")
    grant("ShowTicket", user=viewer, queue=general)
    Api(make_user_with_comment_right(general)).post(
        f"ticket/{ticket.pk}/comment", {"Content": "secret"}
    )
    comment = Transaction.objects.get(ticket=ticket, type="Comment")
    api = Api(viewer)

    types = [i["id"] for i in api.get(f"ticket/{ticket.pk}/history").json()["items"]]
    assert str(comment.pk) not in types
    assert api.get(f"transaction/{comment.pk}").status_code == 404
    part = comment.attachments.get()
    assert api.get(f"attachment/{part.pk}").status_code == 404


def make_user_with_comment_right(queue):
    user = make_user(username="commenter")
    grant("ShowTicket", user=user, queue=queue)
    grant("CommentOnTicket", user=user, queue=queue)
    return user


def test_transaction_and_attachment_records(api, ticket):
    create = Transaction.objects.get(ticket=ticket, type="Create")

    txn = api.get(f"transaction/{create.pk}").json()

    assert txn["Type"] == "Create"
    assert txn["Object"]["id"] == str(ticket.pk)
    assert txn["Object"]["type"] == "ticket"
    attachment_refs = [
        link for link in txn["_hyperlinks"] if link["ref"] == "attachment"
    ]
    assert len(attachment_refs) == 1
    part = api.get(attachment_refs[0]["_url"]).json()
    assert base64.b64decode(part["Content"]) == b"Every message to sales@ bounces."
    assert part["ContentType"] == "text/plain"
    assert part["TransactionId"]["id"] == str(create.pk)
    listed = api.get(f"transaction/{create.pk}/attachments").json()
    assert listed["count"] == 1


def test_ticket_attachments_collection_and_binary_content(api, ticket):
    api.post(
        f"ticket/{ticket.pk}/correspond",
        {
            "Content": "bin",
            "Attachments": [
                {
                    "FileName": "x.bin",
                    "FileContent": base64.b64encode(b"\xff\x00").decode(),
                }
            ],
        },
    )

    body = api.get(
        f"ticket/{ticket.pk}/attachments", fields="Filename,ContentType"
    ).json()

    files = [item for item in body["items"] if item["Filename"] == "x.bin"]
    assert len(files) == 1
    content = api.get(files[0]["_url"]).json()["Content"]
    assert base64.b64decode(content) == b"\xff\x00"


def test_missing_transaction_and_attachment_are_404(api):
    assert api.get("transaction/999999").json() == {
        "message": "No transaction #999999 that you may see."
    }
    assert api.get("attachment/999999").status_code == 404


def test_bulk_correspond_reports_per_ticket(api, ticket):
    hidden = make_ticket(queue=make_queue("Hidden"))

    response = api.post(
        "tickets/bulk/correspond",
        [
            {"id": ticket.pk, "Content": "Fixed for everyone.", "Status": "resolved"},
            {"id": hidden.pk, "Content": "x"},
            {"id": ticket.pk},
        ],
    )

    assert response.status_code == 200
    assert response.json() == [
        [
            str(ticket.pk),
            "Correspondence added",
            f"Ticket {ticket.pk}: Status changed from 'new' to 'resolved'",
        ],
        [str(hidden.pk), f"No ticket #{hidden.pk} that you may see."],
        [str(ticket.pk), "The message is empty."],
    ]
    assert api.post(
        "tickets/bulk/comment", [{"id": ticket.pk, "Content": "n"}]
    ).json() == [[str(ticket.pk), "Comments added"]]
