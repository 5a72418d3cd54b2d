"""Hostile and malformed input gets a JSON 4xx, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_ticket
from tracker.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

TICKET_KEYS = [
    "Queue",
    "Subject",
    "Requestor",
    "Cc",
    "AdminCc",
    "Owner",
    "Status",
    "Priority",
    "TimeWorked",
    "Due",
    "Content",
    "ContentType",
    "Attachments",
    "CustomFields",
    "AddDependsOn",
    "RefersTo",
    "MergeInto",
    "DeleteCc",
    "Bogus",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["General", "staff", "1", "open", "a@b.example", "2030-01-01"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["FileName", "FileContent", "x"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
bodies = st.dictionaries(st.sampled_from(TICKET_KEYS), json_values, max_size=5)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_random_create_and_update_bodies_never_500(api, body):
    created = api.post("ticket", body)
    assert created.status_code < 500, created.content
    assert created["Content-Type"] == "application/json"
    ticket = Ticket.objects.order_by("-id").first() or make_ticket()
    for response in (
        api.put(f"ticket/{ticket.pk}", body),
        api.post(f"ticket/{ticket.pk}/comment", body),
        api.put("tickets/bulk", [{**body, "id": ticket.pk}]),
    ):
        assert response.status_code < 500, response.content
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "body",
    [
        {"Queue": "General", "Subject": "nul \x00 byte"},
        {"Queue": "Gen\x00eral"},
        {"Queue": "General", "CustomFields": {"a\x00": "b"}},
    ],
)
def test_nul_characters_are_refused(api, body):
    response = api.post("ticket", body)

    assert response.status_code == 400
    assert response.json() == {"message": "Text may not contain NUL characters."}


def test_nul_in_query_string_or_path_is_refused(api):
    assert api.get("tickets", query="Subject = 'a\x00'").status_code == 400
    assert api.get("queue/a%00b").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"Queue": 10**30},
        {"Queue": "General", "Priority": 2**40},
        {"Queue": "General", "Owner": 10**25},
    ],
)
def test_out_of_range_numbers_are_400(api, body):
    response = api.post("ticket", body)

    assert response.status_code == 400
    assert "out of range" in response.json()["message"]


def test_huge_ids_in_paths_and_bodies(api):
    ticket = make_ticket()

    assert api.get("ticket/99999999999999999999999").status_code == 404
    assert api.put(f"ticket/{ticket.pk}", {"MergeInto": 10**30}).status_code == 400
    assert api.put(f"ticket/{ticket.pk}", {"AddDependsOn": "9" * 30}).status_code == 400
    response = api.put("tickets/bulk", [{"id": 10**30, "Priority": 1}])
    assert response.json() == [[str(10**30), "id is out of range."]]


def test_overlong_link_uri_is_400(api):
    ticket = make_ticket()

    response = api.put(
        f"ticket/{ticket.pk}", {"RefersTo": "https://x.example/" + "a" * 600}
    )

    assert response.status_code == 400
    assert "at most 500 characters" in response.json()["message"]


def test_deeply_nested_json_is_400(api):
    response = api.post("ticket", raw="[" * 100000 + "]" * 100000)

    assert response.status_code == 400


def test_attachment_names_lose_their_directories(api):
    ticket = make_ticket()
    response = api.post(
        f"ticket/{ticket.pk}/comment",
        {
            "Content": "x",
            "Attachments": [
                {
                    "FileName": "../../etc/passwd",
                    "FileContent": base64.b64encode(b"root").decode(),
                }
            ],
        },
    )

    assert response.status_code == 201, response.content
    assert Attachment.objects.filter(filename="passwd").exists()


def test_multipart_file_names_lose_their_directories(api):
    ticket = make_ticket()
    upload = SimpleUploadedFile("..\\..\\boot.ini", b"x", content_type="text/plain")

    response = api.multipart(
        f"ticket/{ticket.pk}/comment",
        {"JSON": json.dumps({"Content": "x"}), "Attachments": [upload]},
    )

    assert response.status_code == 201, response.content
    assert Attachment.objects.filter(filename="boot.ini").exists()


def test_bad_attachment_type_in_json_is_400(api):
    response = api.post(
        "ticket",
        {
            "Queue": "General",
            "Attachments": [
                {"FileName": "a", "FileType": "x" * 300, "FileContent": ""}
            ],
        },
    )

    assert response.status_code == 400


def test_json_nested_almost_to_the_parser_limit_is_a_4xx(api):
    depth = 900
    response = api.post("ticket", raw="[" * depth + "]" * depth)

    assert response.status_code == 400
    nested = (
        '{"Queue": "General", "CustomFields": {"x": ' + "[" * depth + "]" * depth + "}}"
    )
    assert api.post("ticket", raw=nested).status_code == 400
