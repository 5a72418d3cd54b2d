"""Exporting tickets as JSON: a search result or one ticket, with history and every
attachment byte, limited to what the reader may see."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_staff, make_ticket, make_user
from tracker import services
from tracker.principals import system_user
from tracker.services.attachments import Upload

pytestmark = pytest.mark.django_db

BINARY = bytes(range(256)) * 4


def _export(*args: str) -> dict:
    out = io.StringIO()
    call_command("export_tickets", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def replied_ticket():
    ticket = make_ticket(subject="Printer on fire", requestors=["carol@example.org"])
    services.correspond(
        ticket=ticket,
        actor=system_user(),
        body="Here is the dump.",
        uploads=[Upload("dump.bin", "application/octet-stream", BINARY)],
    )
    return ticket


def test_export_holds_the_ticket_history_and_binary_attachment(replied_ticket):
    document = _export("--query", f"id = {replied_ticket.pk}")
    assert document["format"] == "tracker-export/1"
    [ticket] = document["tickets"]
    assert ticket["subject"] == "Printer on fire"
    assert ticket["watchers"]["Requestor"] == ["carol@example.org"]
    assert [t["type"] for t in ticket["history"]][:2] == ["Create", "Correspond"]
    files = [
        a
        for t in ticket["history"]
        for a in t["attachments"]
        if a["filename"] == "dump.bin"
    ]
    assert base64.b64decode(files[0]["content_base64"]) == BINARY


def test_export_of_a_query_contains_only_matching_tickets(replied_ticket):
    make_ticket(subject="Something else")
    document = _export("--query", "Subject LIKE 'fire'")
    assert [t["id"] for t in document["tickets"]] == [replied_ticket.pk]


def test_export_as_a_user_leaves_out_what_they_may_not_see(replied_ticket):
    outsider = make_user(username="outsider")
    assert _export("--as", outsider.username)["tickets"] == []


def test_export_rejects_a_bad_query():
    with pytest.raises(CommandError, match="at position"):
        _export("--query", "Nonsense ===")


def test_export_writes_to_a_file(replied_ticket, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_tickets", "--output", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text())["tickets"][0]["id"] == replied_ticket.pk


def test_web_export_of_one_ticket_needs_the_right_to_see_it(client, replied_ticket):
    client.force_login(make_staff(username="nosy"))
    url = f"/export/ticket/{replied_ticket.pk}.json"
    assert client.get(url).status_code == 404
    client.force_login(system_user())
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["tickets"][0]["id"] == replied_ticket.pk


def test_web_export_of_a_search_streams_json(client, replied_ticket):
    client.force_login(system_user())
    response = client.get("/export/tickets.json", {"query": "Subject LIKE 'fire'"})
    document = json.loads(b"".join(response.streaming_content))
    assert [t["id"] for t in document["tickets"]] == [replied_ticket.pk]
