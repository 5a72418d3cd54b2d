"""A small mixed world of tickets for TicketSQL tests, built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tests.factories import (
    grant,
    make_admin,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import services
from tracker.models import CustomField, QueueCustomField, Ticket, User
from tracker.principals import system_user
from tracker.ticketsql import search


def ids(user: User, query: str, **ordering) -> list[int]:
    return list(search(user, query, **ordering).values_list("id", flat=True))


def make_field(name: str, type: str) -> CustomField:
    field = CustomField.objects.create(name=name, type=type, max_values=0)
    QueueCustomField.objects.create(custom_field=field, queue=None)
    return field


@dataclass
class World:
    admin: User
    alice: User
    bob: User
    erin: User
    mail: Ticket  # NOC, open, owned by alice, requestor bob, cc carol
    printer: Ticket  # General, new, Nobody, requestor dave, HTML body
    disk: Ticket  # NOC, resolved, requestor a group holding erin (nested)
    gone: Ticket  # NOC, deleted

    @property
    def all(self) -> list[int]:
        return sorted(t.pk for t in (self.mail, self.printer, self.disk))


@pytest.fixture
def world(db) -> World:
    noc = make_queue("NOC")  # the printer ticket goes to the shipped General queue
    admin = make_admin(username="root", email="root@example.org")
    alice = make_staff(
        username="alice", email="alice@example.org", real_name="Alice Liddell"
    )
    bob = make_user(username="bob", email="bob@example.org", real_name="Bob Builder")
    erin = make_user(username="erin", email="erin@example.net")
    grant("OwnTicket", user=alice, queue=noc)
    inner = make_group("Oncall", erin)
    outer = make_group("Helpdesk", inner)
    mail = make_ticket(
        queue=noc,
        subject="Mail server timeout",
        status="open",
        owner=alice,
        priority=10,
        time_worked=30,
        requestors=[bob],
        cc=["carol@example.com"],
        body="The SMTP relay gives a timeout after 30 seconds.",
        due=datetime(2030, 1, 15, 12, tzinfo=UTC),
    )
    printer = make_ticket(
        subject="Printer jam",
        priority=1,
        requestors=["dave@example.com"],
        body="<p>Paper <b>stuck</b> in tray&nbsp;2</p>",
        content_type="text/html",
    )
    disk = make_ticket(
        queue=noc,
        subject="Disk full on db1",
        status="resolved",
        priority=50,
        requestors=[outer],
        admin_cc=[alice],
        body="The database disk is full.",
    )
    gone = make_ticket(queue=noc, subject="Spam", body="Buy now")
    services.set_status(ticket=gone, status="deleted", actor=system_user())
    return World(admin, alice, bob, erin, mail, printer, disk, gone)
