"""Helpers shared by the admin tests."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse


def admin_url(model: str, view: str, *args) -> str:
    """`admin_url("tracker.ace", "changelist")` -> /admin/tracker/ace/."""
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def general():
    from queues.models import Queue

    return Queue.objects.get(name="General")
