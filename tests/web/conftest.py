"""Shared people and tickets for the web tests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queues.models import Queue
from tests.factories import STAFF_RIGHTS, grant_many, make_staff, make_ticket, make_user


@pytest.fixture
def general():
    return Queue.objects.get(name="General")


@pytest.fixture
def staff(general):
    user = make_staff(username="sam", real_name="Sam Staff")
    grant_many(STAFF_RIGHTS, user=user, queue=general)
    return user


@pytest.fixture
def customer():
    return make_user(username="carla", email="carla@example.com", real_name="Carla C")


@pytest.fixture
def ticket(customer):
    return make_ticket(
        subject="Printer on fire", body="Smoke everywhere.", requestors=[customer]
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)
