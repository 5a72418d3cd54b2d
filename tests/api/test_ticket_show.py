"""GET /ticket/:id: RT's field names, hidden = missing, hyperlinks only with the right."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import grant, grant_many, make_queue, make_ticket, make_user
from tracker import services
from tracker.models import CustomField, QueueCustomField
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff):
    return make_ticket(
        subject="Printer on fire",
        requestors=["alice@example.org"],
        cc=["bob@example.org"],
        priority=5,
    )


def refs(record, name):
    return [link for link in record["_hyperlinks"] if link["ref"] == name]


def test_ticket_record_uses_rt_field_names(api, ticket, general):
    response = api.get(f"ticket/{ticket.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ticket.pk
    assert body["Subject"] == "Printer on fire"
    assert body["Status"] == "new"
    assert body["Type"] == "ticket"
    assert body["Priority"] == 5
    assert body["Queue"] == {
        "type": "queue",
        "id": str(general.pk),
        "_url": f"http://testserver/REST/2.0/queue/{general.pk}",
    }
    assert body["Owner"]["id"] == "Nobody"
    assert body["Owner"]["_url"].endswith("/REST/2.0/user/Nobody")
    assert body["Creator"]["id"] == "RT_System"
    assert [r["id"] for r in body["Requestor"]] == ["alice@example.org"]
    assert [r["id"] for r in body["Cc"]] == ["bob@example.org"]
    assert body["AdminCc"] == []
    assert body["EffectiveId"]["id"] == str(ticket.pk)
    assert body["Due"] == "1970-01-01T00:00:00Z"
    assert body["Created"].endswith("Z")
    for name in (
        "InitialPriority",
        "FinalPriority",
        "TimeEstimated",
        "TimeWorked",
        "TimeLeft",
        "Started",
        "Resolved",
        "Starts",
        "Told",
        "LastUpdated",
        "LastUpdatedBy",
        "CustomFields",
    ):
        assert name in body
    assert refs(body, "self")[0]["_url"].endswith(f"/ticket/{ticket.pk}")
    assert refs(body, "history")[0]["_url"].endswith(f"/ticket/{ticket.pk}/history")


def test_hidden_ticket_answers_exactly_like_a_missing_one(outsider, ticket):
    api = Api(outsider)

    hidden = api.get(f"ticket/{ticket.pk}")
    missing = api.get("ticket/999999")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == {"message": f"No ticket #{ticket.pk} that you may see."}
    assert missing.json() == {"message": "No ticket #999999 that you may see."}
    for verb in ("take", "untake", "steal"):
        assert api.put(f"ticket/{ticket.pk}/{verb}").status_code == 404
    for path in ("history", "attachments"):
        assert api.get(f"ticket/{ticket.pk}/{path}").status_code == 404
    assert api.put(f"ticket/{ticket.pk}", {"Subject": "x"}).status_code == 404
    assert api.delete(f"ticket/{ticket.pk}").status_code == 404
    assert api.post(f"ticket/{ticket.pk}/comment", {"Content": "x"}).status_code == 404


def test_merged_ticket_number_shows_the_survivor(api, ticket):
    other = make_ticket(subject="Duplicate")
    services.merge_tickets(source=other, target=ticket, actor=system_user())

    body = api.get(f"ticket/{other.pk}").json()

    assert body["id"] == ticket.pk


def test_actions_appear_only_with_the_rights():
    # Not General: there Everyone may reply (RT's default grants).
    quiet = make_queue("Quiet")
    ticket = make_ticket(queue=quiet)
    viewer = make_user(username="viewer")
    grant("ShowTicket", user=viewer, queue=quiet)
    viewer_links = {
        link["ref"]
        for link in Api(viewer).get(f"ticket/{ticket.pk}").json()["_hyperlinks"]
    }

    assert viewer_links == {"self", "history", "attachments"}

    grant_many(["ReplyToTicket", "OwnTicket", "TakeTicket"], user=viewer, queue=quiet)
    body = Api(viewer).get(f"ticket/{ticket.pk}").json()
    names = {link["ref"] for link in body["_hyperlinks"]}

    assert {"correspond", "take"} <= names
    assert "comment" not in names
    assert "update" not in names
    # Status changes need ModifyTicket in the default lifecycle.
    assert not refs(body, "lifecycle")


def test_staff_sees_lifecycle_actions_for_the_current_status(api, ticket):
    body = api.get(f"ticket/{ticket.pk}").json()

    actions = {
        (link["from"], link["to"], link["label"]) for link in refs(body, "lifecycle")
    }
    assert ("new", "open", "Open It") in actions
    assert ("new", "resolved", "Resolve") in actions
    # Deleting needs DeleteTicket, which staff lacks here.
    assert not any(to == "deleted" for _, to, _ in actions)
    open_it = next(link for link in refs(body, "lifecycle") if link["to"] == "open")
    assert open_it["update"] == "Respond"
    assert open_it["_url"].endswith(f"/ticket/{ticket.pk}/correspond")
    assert {"update", "correspond", "comment", "take"} <= {
        link["ref"] for link in body["_hyperlinks"]
    }


def test_owner_sees_untake_and_others_see_steal(api, staff, ticket, general):
    services.take(ticket=ticket, actor=staff)

    assert refs(api.get(f"ticket/{ticket.pk}").json(), "untake")
    colleague = make_user(privileged=True, username="colleague")
    grant_many(
        ["ShowTicket", "OwnTicket", "StealTicket"], user=colleague, queue=general
    )
    body = Api(colleague).get(f"ticket/{ticket.pk}").json()
    assert refs(body, "steal")
    assert not refs(body, "take")


def test_links_appear_as_hyperlinks(api, ticket):
    other = make_ticket(subject="Parent")
    services.add_link(ticket=ticket, kind="DependsOn", other=other, actor=system_user())
    services.add_link(
        ticket=ticket,
        kind="RefersTo",
        other="https://example.org/kb/1",
        actor=system_user(),
    )

    body = api.get(f"ticket/{ticket.pk}").json()

    assert refs(body, "depends-on")[0]["id"] == str(other.pk)
    assert refs(body, "refers-to")[0] == {
        "ref": "refers-to",
        "type": "external",
        "_url": "https://example.org/kb/1",
    }
    back = api.get(f"ticket/{other.pk}").json()
    assert refs(back, "depended-on-by")[0]["id"] == str(ticket.pk)


def test_custom_fields_shown_only_with_see_custom_field(api, staff, ticket, general):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    services.set_custom_field(
        ticket=ticket, field=field, values="high", actor=system_user()
    )

    assert api.get(f"ticket/{ticket.pk}").json()["CustomFields"] == []
    grant("SeeCustomField", user=staff, queue=general)
    custom = api.get(f"ticket/{ticket.pk}").json()["CustomFields"]
    assert custom == [
        {
            "type": "customfield",
            "id": str(field.pk),
            "_url": f"http://testserver/REST/2.0/customfield/{field.pk}",
            "name": "Severity",
            "values": ["high"],
        }
    ]


def test_ticket_page_query_count_does_not_grow_with_watchers(
    api, ticket, django_assert_max_num_queries
):
    api.get(f"ticket/{ticket.pk}")  # warm the lifecycle cache
    small = _count_queries(api, ticket.pk)
    for n in range(15):
        services.add_watcher(
            ticket=ticket,
            role="Cc",
            principal=f"cc{n}@example.org",
            actor=system_user(),
        )
        make_ticket(subject=f"noise {n}")
    large = _count_queries(api, ticket.pk)

    assert large == small
    # The ticket is read once, with what its record needs.
    with django_assert_max_num_queries(8):
        api.get(f"ticket/{ticket.pk}")


def _count_queries(api, pk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"ticket/{pk}").status_code == 200
    return len(captured)


def test_ticket_in_another_queue_is_404_for_staff_of_general(api):
    elsewhere = make_queue("Secret")
    ticket = make_ticket(queue=elsewhere)

    assert api.get(f"ticket/{ticket.pk}").status_code == 404
