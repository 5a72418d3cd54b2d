"""The custom field admin: plain configuration, validated before saving."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url
from tracker.models import CustomField, QueueCustomField

pytestmark = pytest.mark.django_db


def field_form(**changes):
    data = {
        "name": "Severity",
        "description": "",
        "type": "select",
        "lookup_type": "ticket",
        "is_active": "on",
        "max_values": 1,
        "pattern": "",
        "pattern_description": "",
        "sort_order": 0,
        "choices-TOTAL_FORMS": 2,
        "choices-INITIAL_FORMS": 0,
        "choices-0-name": "Low",
        "choices-0-sort_order": 0,
        "choices-1-name": "High",
        "choices-1-sort_order": 1,
        "applications-TOTAL_FORMS": 1,
        "applications-INITIAL_FORMS": 0,
        "applications-0-queue": "",
        "applications-0-sort_order": 0,
    }
    data.update(changes)
    return data


def test_custom_field_is_created_with_choices_and_a_global_application(admin_client):
    response = admin_client.post(admin_url("tracker.customfield", "add"), field_form())
    assert response.status_code == 302
    field = CustomField.objects.get(name="Severity")
    assert [c.name for c in field.choices.all()] == ["Low", "High"]
    assert QueueCustomField.objects.get(custom_field=field).queue is None


def test_custom_field_pattern_must_compile(admin_client):
    response = admin_client.post(
        admin_url("tracker.customfield", "add"), field_form(pattern="^(unclosed")
    )
    assert response.status_code == 200
    assert "not a valid regular expression" in response.content.decode()
    assert not CustomField.objects.exists()


def test_custom_field_applied_to_the_same_queue_twice_is_refused(admin_client, general):
    response = admin_client.post(
        admin_url("tracker.customfield", "add"),
        field_form(
            **{
                "applications-TOTAL_FORMS": 2,
                "applications-0-queue": general.pk,
                "applications-1-queue": general.pk,
                "applications-1-sort_order": 0,
            }
        ),
    )
    assert response.status_code == 200
    assert "applied to the queue General twice" in response.content.decode()
    assert not CustomField.objects.exists()
