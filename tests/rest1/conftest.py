"""Shared setup for the REST 1.0 tests: a staff member, an outsider, a ticket."""

from __future__ import annotations

import base64
import importlib

import pytest

from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_ticket, make_user


@pytest.fixture
def queue(db):
    return make_queue("Support")


@pytest.fixture
def staff(queue):
    user = make_user(privileged=True, username="alice", email="alice@example.org")
    user.set_password("secret")
    user.save()
    grant_many(
        [*STAFF_RIGHTS, "SeeCustomField", "ModifyCustomField"], user=user, queue=queue
    )
    return user


@pytest.fixture
def outsider(db):
    user = make_user(privileged=True, username="mallory", email="mallory@example.org")
    user.set_password("secret")
    user.save()
    return user


@pytest.fixture
def ticket(queue, staff):
    return make_ticket(
        queue=queue,
        subject="Printer on fire",
        body="Flames everywhere.",
        requestors=["bob@example.org"],
    )


def basic(user, password="secret"):  # noqa: S107 - a test password
    token = base64.b64encode(f"{user.username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def as_staff(client, staff):
    client.defaults.update(basic(staff))
    return client


@pytest.fixture
def as_outsider(client, outsider):
    client.defaults.update(basic(outsider))
    return client


def ticketsql_ready() -> bool:
    """Whether the TicketSQL engine (written alongside) is importable yet."""
    try:
        module = importlib.import_module("tracker.ticketsql")
    except ImportError:
        return False
    return hasattr(module, "search") and hasattr(module, "TicketSQLError")
