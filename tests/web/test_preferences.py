"""The user's time zone and language apply to their requests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils import timezone

from tests.factories import make_user
from tracker.web.middleware import UserPreferencesMiddleware

pytestmark = pytest.mark.django_db


def _zone_seen(rf, user):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = rf.get("/")
    request.user = user
    UserPreferencesMiddleware(view)(request)
    return seen["zone"]


def test_user_time_zone_is_active_during_the_request(rf, settings):
    settings.TIME_ZONE = "UTC"

    assert _zone_seen(rf, make_user(time_zone="Europe/Berlin")) == "Europe/Berlin"


def test_unknown_time_zone_falls_back_to_the_default(rf, settings):
    settings.TIME_ZONE = "UTC"

    assert _zone_seen(rf, make_user(time_zone="Mars/Olympus")) == "UTC"


def test_anonymous_requests_use_the_default_zone(rf, settings):
    settings.TIME_ZONE = "UTC"

    assert _zone_seen(rf, AnonymousUser()) == "UTC"
