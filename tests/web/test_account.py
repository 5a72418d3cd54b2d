"""The preferences page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_preferences_page_renders(client, customer):
    client.force_login(customer)

    assert client.get(reverse("preferences")).status_code == 200


def test_user_sets_time_zone_and_language(client, customer):
    client.force_login(customer)

    response = client.post(
        reverse("preferences"),
        {"time_zone": "Europe/Berlin", "language": "de", "notify_own_actions": "on"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.time_zone, customer.language) == ("Europe/Berlin", "de")
    assert customer.notify_own_actions is True


def test_unknown_time_zone_is_a_form_error(client, customer):
    client.force_login(customer)

    response = client.post(reverse("preferences"), {"time_zone": "Mars/Olympus"})

    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.time_zone == ""


def test_preferences_need_modify_self(client, customer):
    from tracker.models import ACE

    ACE.objects.filter(right="ModifySelf").delete()
    client.force_login(customer)

    response = client.post(reverse("preferences"), {"time_zone": "Europe/Berlin"})

    assert response.status_code == 403


def test_staff_preferences_link_to_auth_tokens(client, staff):
    client.force_login(staff)

    html = client.get(reverse("preferences")).content.decode()

    assert reverse("auth-tokens") in html


def test_customer_preferences_do_not_offer_auth_tokens(client, customer):
    client.force_login(customer)

    html = client.get(reverse("preferences")).content.decode()

    assert reverse("auth-tokens") not in html
