"""Scrip and template admin, and the template preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scrips.models import Scrip, Template
from tests.factories import make_admin, make_staff, make_ticket


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def test_stock_templates_and_default_scrips_are_installed(db):
    assert {"Autoreply", "Correspondence", "Admin Comment", "Resolved"} <= set(
        Template.objects.filter(queue=None).values_list("name", flat=True)
    )
    assert Scrip.objects.filter(
        description="On Create Autoreply To Requestors", is_active=True
    ).exists()


def test_preview_renders_a_template_against_a_ticket(admin_client, queue):
    ticket = make_ticket(queue=queue, subject="Broken chair")
    template = Template.objects.get(name="Autoreply", queue=None)
    url = reverse("admin:scrips_template_preview", args=[template.pk])
    response = admin_client.get(url, {"ticket": ticket.pk})
    assert response.status_code == 200
    assert "AutoReply: Broken chair" in response.content.decode()


def test_preview_reports_template_errors(admin_client, queue):
    ticket = make_ticket(queue=queue)
    template = Template.objects.create(name="Bad", content="Subject: x\n\n{% debug %}")
    url = reverse("admin:scrips_template_preview", args=[template.pk])
    response = admin_client.get(url, {"ticket": ticket.pk})
    assert "Invalid block tag" in response.content.decode()


def test_preview_is_refused_to_non_admin_staff(client, db):
    client.force_login(
        make_staff(), backend="django.contrib.auth.backends.ModelBackend"
    )
    template = Template.objects.get(name="Autoreply", queue=None)
    url = reverse("admin:scrips_template_preview", args=[template.pk])
    assert client.get(url).status_code == 302


def test_scrip_form_offers_registered_conditions_and_actions(admin_client):
    response = admin_client.get(reverse("admin:scrips_scrip_add"))
    content = response.content.decode()
    assert "On Status Change" in content
    assert "Notify Other Recipients as Comment" in content
