"""Queues, users, groups and members, custom fields, /rt, the schema, unknown paths."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import grant, make_admin, make_group, make_queue, make_user
from tracker.models import CustomField, GroupMember, QueueCustomField

pytestmark = pytest.mark.django_db


# --- queues -------------------------------------------------------------------------------


def test_queues_all_lists_only_queues_the_caller_may_see(api, staff, general):
    grant("SeeQueue", user=staff, queue=general)
    make_queue("Secret")

    body = api.get("queues/all", fields="Name,Lifecycle").json()

    assert body["total"] == 1
    assert body["items"] == [
        {
            "type": "queue",
            "id": str(general.pk),
            "_url": f"http://testserver/REST/2.0/queue/{general.pk}",
            "Name": "General",
            "Lifecycle": "default",
        }
    ]


def test_queue_by_id_and_by_name(api, staff, general):
    grant("SeeQueue", user=staff, queue=general)

    by_id = api.get(f"queue/{general.pk}").json()
    by_name = api.get("queue/general").json()

    assert by_id == by_name
    assert by_id["Name"] == "General"
    assert by_id["Disabled"] == 0
    assert {"Cc", "AdminCc", "TicketCustomFields", "CorrespondAddress"} <= set(by_id)
    refs = {link["ref"] for link in by_id["_hyperlinks"]}
    assert {"self", "create"} <= refs


def test_queue_create_hyperlink_needs_create_ticket():
    quiet = make_queue("Quiet")
    viewer = make_user(username="viewer")
    grant("SeeQueue", user=viewer, queue=quiet)

    body = Api(viewer).get("queue/Quiet").json()

    assert "create" not in {link["ref"] for link in body["_hyperlinks"]}


def test_invisible_queue_is_404_like_a_missing_one(outsider):
    make_queue("Secret")
    api = Api(outsider)

    assert api.get("queue/Secret").json() == api.get("queue/Nowhere").json() | {
        "message": "No queue 'Secret' that you may see."
    }
    assert api.get("queue/Secret").status_code == 404


def test_queue_json_search(api, staff, general):
    grant("SeeQueue", user=staff)
    make_queue("Network Ops")

    body = api.post(
        "queues", [{"field": "Name", "operator": "LIKE", "value": "network"}]
    ).json()

    assert [item["id"] for item in body["items"]] != []
    assert body["total"] == 1
    bad = api.post("queues", [{"field": "Colour", "value": "red"}])
    assert bad.status_code == 400
    assert "Unknown search field" in bad.json()["message"]
    assert api.post("queues", {"field": "Name"}).status_code == 400
    assert (
        api.post(
            "queues", [{"field": "Name", "operator": "~~", "value": "x"}]
        ).status_code
        == 400
    )


def test_disabled_queues_only_with_find_disabled_rows(api, staff):
    grant("SeeQueue", user=staff)
    make_queue("Old", is_active=False)

    assert "Old" not in _names(api.get("queues/all", fields="Name").json())
    assert "Old" in _names(
        api.get("queues/all", fields="Name", find_disabled_rows=1).json()
    )


def _names(body):
    return [item["Name"] for item in body["items"]]


# --- users --------------------------------------------------------------------------------


def test_user_record_by_name_and_id(api, staff):
    by_name = api.get("user/staff").json()
    by_id = api.get(f"user/{staff.pk}").json()

    assert by_name == by_id
    assert by_name["Name"] == "staff"
    assert by_name["Privileged"] == 1
    assert by_name["Disabled"] == 0
    assert by_name["EmailAddress"] == staff.email


def test_unprivileged_user_sees_only_themself(outsider, staff):
    api = Api(outsider)

    assert api.get("user/outsider").status_code == 200
    assert api.get("user/staff").status_code == 404
    assert api.get("users").status_code == 403


def test_user_lists(api, staff, outsider):
    privileged = _ids(api.get("users/privileged").json())
    unprivileged = _ids(api.get("users/unprivileged").json())

    assert "staff" in privileged
    assert "outsider" in unprivileged
    assert "outsider" not in privileged
    found = api.post("users", [{"field": "Name", "operator": "=", "value": "outsider"}])
    assert _ids(found.json()) == ["outsider"]


def _ids(body):
    return [item["id"] for item in body["items"]]


def test_user_groups(api, staff):
    group = make_group("Network", staff)

    body = api.get("user/staff/groups").json()

    assert _ids(body) == [str(group.pk)]


# --- groups -------------------------------------------------------------------------------


def test_group_record_and_members(api, staff, outsider):
    inner = make_group("Inner", outsider)
    outer = make_group("Outer", staff, inner)

    record = api.get(f"group/{outer.pk}").json()
    direct = api.get(f"group/{outer.pk}/members").json()
    deep = api.get(f"group/{outer.pk}/members", recursively=1).json()
    users_only = api.get(f"group/{outer.pk}/members", recursively=1, groups=0).json()

    assert record["Name"] == "Outer"
    assert record["Domain"] == "UserDefined"
    assert {m["id"] for m in record["Members"]} == {"staff", str(inner.pk)}
    assert {m["id"] for m in direct["items"]} == {"staff", str(inner.pk)}
    assert {m["id"] for m in deep["items"]} == {"staff", "outsider", str(inner.pk)}
    assert {m["id"] for m in users_only["items"]} == {"staff", "outsider"}
    assert _ids(api.get("groups", fields="Name").json())


def test_changing_members_needs_admin_groups(api, staff, outsider):
    group = make_group("Team")

    denied = api.put(f"group/{group.pk}/members", ["outsider"])
    assert denied.status_code == 403

    admin = Api(make_admin())
    added = admin.put(f"group/{group.pk}/members", ["outsider", staff.pk])
    assert added.status_code == 200
    assert GroupMember.objects.filter(group=group).count() == 2
    assert admin.delete(f"group/{group.pk}/member/{outsider.pk}").status_code == 204
    assert admin.delete(f"group/{group.pk}/member/{outsider.pk}").status_code == 404
    assert admin.put(f"group/{group.pk}/members", [{"x": 1}]).status_code == 400
    assert admin.put(f"group/{group.pk}/members", ["ghost"]).status_code == 404


def test_unprivileged_cannot_see_groups(outsider):
    group = make_group("Team")

    assert Api(outsider).get(f"group/{group.pk}").status_code == 404
    assert Api(outsider).get("groups").status_code == 403


# --- custom fields ------------------------------------------------------------------------


def test_custom_field_and_values(api, general):
    field = CustomField.objects.create(name="Severity", type="select")
    low = field.choices.create(name="low", sort_order=1)
    field.choices.create(name="high", sort_order=2)
    QueueCustomField.objects.create(custom_field=field, queue=general)

    listing = api.get("customfields", fields="Name,Type").json()
    record = api.get(f"customfield/{field.pk}").json()
    values = api.get(f"customfield/{field.pk}/values").json()
    one = api.get(f"customfield/{field.pk}/value/{low.pk}").json()

    assert listing["items"][0]["Name"] == "Severity"
    assert record["Type"] == "select"
    assert record["Values"] == ["low", "high"]
    assert [v["name"] for v in values["items"]] == ["low", "high"]
    assert one["name"] == "low"
    assert api.get(f"customfield/{field.pk}/value/999999").status_code == 404
    assert Api(make_user()).get(f"customfield/{field.pk}").status_code == 404


# --- system, schema, errors ---------------------------------------------------------------


def test_rt_reports_a_version(api):
    body = api.get("rt").json()

    assert set(body) == {"Version", "Plugins"}


def test_openapi_schema_and_docs_are_served(anonymous):
    schema = anonymous.client.get("/REST/2.0/schema/", HTTP_ACCEPT="application/json")
    docs = anonymous.client.get("/REST/2.0/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/REST/2.0/ticket/{id}" in paths
    assert "/REST/2.0/tickets" in paths
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_api_root_leads_to_the_docs(anonymous):
    response = anonymous.client.get("/REST/2.0/")

    assert response.status_code == 302
    assert response["Location"] == "/REST/2.0/docs/"


def test_unknown_path_is_a_json_404(api):
    response = api.get("no/such/endpoint")

    assert response.status_code == 404
    assert response.json() == {"message": "Resource does not exist"}
    assert api.get("ticket/abc").status_code == 404


def test_unsupported_method_and_media_type(api):
    assert api.delete("tickets").status_code == 405
    response = api.client.post(
        "/REST/2.0/ticket", "<xml/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["message"]
