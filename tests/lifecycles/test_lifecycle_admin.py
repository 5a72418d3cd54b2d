"""The admin: pages render, edits are validated by the engine and announced to the registry."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from lifecycles import registry
from lifecycles.models import Lifecycle, LifecycleMap

pytestmark = pytest.mark.django_db

JSON_FIELDS = [
    "initial",
    "active",
    "inactive",
    "transitions",
    "rights",
    "actions",
    "defaults",
]


def form_data(row, **changes):
    data = {"name": row.name, "type": row.type, "description": row.description}
    data.update({f: json.dumps(getattr(row, f)) for f in JSON_FIELDS})
    data.update({k: json.dumps(v) for k, v in changes.items()})
    return data


def change_url(row):
    return reverse(f"admin:lifecycles_{row._meta.model_name}_change", args=[row.pk])


def test_lifecycle_changelist_lists_shipped_lifecycles(admin_client):
    response = admin_client.get(reverse("admin:lifecycles_lifecycle_changelist"))
    assert response.status_code == 200
    assert b"incident" in response.content
    assert b"1 / 4 / 2" in response.content


def test_lifecycle_change_page_shows_transition_table(admin_client):
    row = Lifecycle.objects.get(name="incident")
    response = admin_client.get(change_url(row))
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "<tr><td>triage</td><td>incident</td><td>DeclareIncident</td>"
        "<td>Declare incident (comment)</td></tr>" in content
    )
    assert "<tr><td>closing</td><td>post-incident</td><td>CloseIncident</td>" in content


def test_lifecycle_add_page_renders(admin_client):
    response = admin_client.get(reverse("admin:lifecycles_lifecycle_add"))
    assert response.status_code == 200


def test_summary_escapes_labels_from_the_data(admin_client):
    row = Lifecycle.objects.get(name="default")
    row.actions[0]["label"] = "<b>Open</b>"
    row.save()
    content = admin_client.get(change_url(row)).content.decode()
    assert "&lt;b&gt;Open&lt;/b&gt;" in content
    assert "<b>Open</b>" not in content


def test_summary_lists_problems_of_an_invalid_row(admin_client):
    row = Lifecycle.objects.get(name="default")
    Lifecycle.objects.filter(pk=row.pk).update(defaults={})
    content = admin_client.get(change_url(row)).content.decode()
    assert "<li>lifecycle &#x27;default&#x27;: defaults must set" in content


def test_invalid_edit_shows_the_error_and_is_not_saved(admin_client):
    row = Lifecycle.objects.get(name="incident")
    transitions = {**row.transitions, "incident": ["closing", "closd"]}
    response = admin_client.post(
        change_url(row), form_data(row, transitions=transitions)
    )
    assert response.status_code == 200
    assert (
        "transition from &#x27;incident&#x27; names unknown status &#x27;closd&#x27;"
        in response.content.decode()
    )
    row.refresh_from_db()
    assert row.transitions["incident"] == ["closing"]


def test_malformed_json_is_shown_again_for_fixing(admin_client):
    row = Lifecycle.objects.get(name="incident")
    data = form_data(row)
    data["active"] = '["triage", '
    response = admin_client.post(change_url(row), data)
    assert response.status_code == 200
    assert "Enter a valid JSON." in response.content.decode()


def test_valid_edit_is_saved_and_bumps_the_version(
    admin_client, django_capture_on_commit_callbacks
):
    row = Lifecycle.objects.get(name="incident")
    registry.get_lifecycle("incident")
    transitions = {**row.transitions, "incident": ["closing", "resolved"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            change_url(row), form_data(row, transitions=transitions)
        )
    assert response.status_code == 302
    assert registry.get_lifecycle("incident").can_transition("incident", "resolved")


def test_bump_waits_for_the_commit(admin_client, django_capture_on_commit_callbacks):
    row = Lifecycle.objects.get(name="incident")
    before = cache.get(registry.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(change_url(row), form_data(row))
    assert cache.get(registry.VERSION_KEY) == before
    assert registry.bump_version in callbacks


def test_map_changelist_and_change_page_render(admin_client):
    row = LifecycleMap.objects.get(source__name="default", target__name="incident")
    changelist = admin_client.get(reverse("admin:lifecycles_lifecyclemap_changelist"))
    assert changelist.status_code == 200
    assert b"default -&gt; incident" in changelist.content
    assert admin_client.get(change_url(row)).status_code == 200


def test_partial_map_edit_shows_the_error_and_is_not_saved(admin_client):
    row = LifecycleMap.objects.get(source__name="incident", target__name="default")
    mapping = {k: v for k, v in row.mapping.items() if k != "closing"}
    data = {
        "source": row.source_id,
        "target": row.target_id,
        "mapping": json.dumps(mapping),
    }
    response = admin_client.post(change_url(row), data)
    assert response.status_code == 200
    assert (
        "source status &#x27;closing&#x27; is not mapped" in response.content.decode()
    )
    row.refresh_from_db()
    assert "closing" in row.mapping
