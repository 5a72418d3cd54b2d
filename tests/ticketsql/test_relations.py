"""Watchers (deep through groups), links and custom fields."""

from __future__ import annotations

import pytest

from tests.ticketsql.conftest import ids, make_field
from tracker import services
from tracker.principals import system_user
from tracker.ticketsql import TicketSQLError, search

pytestmark = pytest.mark.django_db


def expect(world, *names):
    return sorted(getattr(world, n).pk for n in names)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Requestor = 'bob@example.org'", ["mail"]),
        ("Requestor.EmailAddress = 'BOB@example.org'", ["mail"]),
        ("Requestors.EmailAddress LIKE 'example.com'", ["printer"]),
        ("Requestor.EmailAddress LIKE '@example.'", ["mail", "printer", "disk"]),
        ("Requestor.EmailAddress NOT LIKE 'example.com'", ["mail", "disk"]),
        ("Requestor != 'bob@example.org'", ["printer", "disk"]),
        ("Requestor.Name = 'bob'", ["mail"]),
        ("Requestor.RealName STARTSWITH 'bob'", ["mail"]),
        ("Requestor.EmailAddress ENDSWITH '.net'", ["disk"]),
        ("Requestor.EmailAddress NOT ENDSWITH '.net'", ["mail", "printer"]),
        ("Requestor.EmailAddress NOT STARTSWITH 'bob'", ["printer", "disk"]),
        # erin is in Oncall, which is in Helpdesk, the requestor of the disk ticket.
        ("Requestor.Name = 'erin'", ["disk"]),
        ("Requestor.Name SHALLOW = 'erin'", []),
        ("Requestor IS NULL", []),
        ("Requestor IS NOT NULL", ["mail", "printer", "disk"]),
        ("Cc = 'carol@example.com'", ["mail"]),
        ("Cc IS NULL", ["printer", "disk"]),
        ("Cc.Name LIKE 'carol'", ["mail"]),
        ("AdminCc.Name = 'alice'", ["disk"]),
        ("AdminCc IS NOT NULL", ["disk"]),
        ("Watcher.Name = 'alice'", ["disk"]),
        ("Watcher.EmailAddress LIKE 'example.com'", ["mail", "printer"]),
        ("Watcher.Name = 'erin'", ["disk"]),
        ("QueueCc IS NULL", ["mail", "printer", "disk"]),
    ],
)
def test_watchers(world, query, expected):
    assert ids(world.admin, query) == expect(world, *expected)


def test_watcher_ids_and_current_user(world):
    assert ids(world.admin, f"Requestor.id = {world.bob.pk}") == [world.mail.pk]
    assert ids(world.bob, "Requestor = '__CurrentUser__'") == [world.mail.pk]
    # erin sees the disk ticket through her groups, as a requestor.
    assert ids(world.erin, "Requestor.id = '__CurrentUser__'") == [world.disk.pk]


def test_queue_watchers(world):
    services.add_queue_watcher(
        queue=world.mail.queue,
        role="AdminCc",
        principal=world.alice,
        actor=system_user(),
    )
    services.add_queue_watcher(
        queue=world.printer.queue,
        role="Cc",
        principal="zed@example.net",
        actor=system_user(),
    )
    assert ids(world.admin, "QueueAdminCc.Name = 'alice'") == expect(
        world, "mail", "disk"
    )
    assert ids(world.admin, "QueueCc LIKE 'zed'") == [world.printer.pk]
    assert ids(world.admin, "QueueWatcher IS NOT NULL") == world.all
    assert ids(world.admin, "QueueAdminCc != 'alice@example.org'") == [world.printer.pk]


def test_links(world):
    actor = system_user()
    services.add_link(
        ticket=world.mail, kind="DependsOn", other=world.disk, actor=actor
    )
    services.add_link(
        ticket=world.printer, kind="MemberOf", other=world.mail, actor=actor
    )
    services.add_link(
        ticket=world.disk,
        kind="RefersTo",
        other="https://wiki.example.org/db1",
        actor=actor,
    )
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    admin = world.admin
    assert ids(admin, f"DependsOn = {disk}") == [mail]
    assert ids(admin, f"DependsOn = '{disk}'") == [mail]
    assert ids(admin, f"DependsOn = 'fsck.com-rt://example.org/ticket/{disk}'") == [
        mail
    ]
    assert ids(admin, f"DependsOn != {disk}") == [printer, disk]
    assert ids(admin, f"DependedOnBy = {mail}") == [disk]
    assert ids(admin, f"DependentOn = {mail}") == [disk]
    assert ids(admin, "DependsOn IS NULL") == [printer, disk]
    assert ids(admin, "DependsOn IS NOT NULL") == [mail]
    assert ids(admin, f"MemberOf = {mail}") == [printer]
    assert ids(admin, f"HasMember = {printer}") == [mail]
    assert ids(admin, "HasMember IS NULL") == [printer, disk]
    assert ids(admin, "RefersTo = 'https://wiki.example.org/db1'") == [disk]
    assert ids(admin, "RefersTo IS NOT NULL") == [disk]
    assert ids(admin, "ReferredToBy IS NOT NULL") == []
    assert ids(admin, f"LinkedTo = {disk}") == [mail]
    assert ids(admin, f"LinkedFrom = {mail}") == [disk]
    assert ids(admin, f"Linked = {mail}") == [printer, disk]
    assert ids(admin, "LinkedTo IS NULL") == []
    assert ids(admin, "LinkedFrom IS NULL") == [printer]


def test_custom_fields_of_each_type(world):
    actor = system_user()
    fields = {
        "Incident Type": ("select", {"mail": "Phishing", "disk": "Outage"}),
        "Severity": ("number", {"mail": "3", "printer": "10", "disk": "-2.5"}),
        "Seen": ("date", {"mail": "2024-11-29", "disk": "2024-12-01"}),
        "Detected": (
            "datetime",
            {"mail": "2024-11-29 23:30", "disk": "2024-11-30 08:00"},
        ),
        "Source": ("ipaddress", {"mail": "192.0.2.10", "printer": "2001:db8::5"}),
        "Network": ("iprange", {"mail": "10.0.0.0/24", "disk": "10.0.1.0-10.0.1.9"}),
        "Notes": ("text", {"printer": "line one\nsecond line"}),
    }
    for name, (kind, values) in fields.items():
        field = make_field(name, kind)
        if kind == "select":
            for choice in ("Phishing", "Outage"):
                field.choices.create(name=choice)
        for ticket, value in values.items():
            services.set_custom_field(
                ticket=getattr(world, ticket), field=field, values=value, actor=actor
            )

    def check(query, *expected):
        assert ids(world.admin, query) == expect(world, *expected), query

    check("CF.{Incident Type} = 'phishing'", "mail")
    check("'CF.{Incident Type}' = 'Phishing'", "mail")
    check("CustomField.{incident type} != 'phishing'", "printer", "disk")
    check("CF.{Incident Type} LIKE 'tag'", "disk")
    check("CF.{Incident Type} NOT LIKE 'tag'", "mail", "printer")
    check("CF.{Incident Type} STARTSWITH 'phi'", "mail")
    check("CF.{Incident Type} ENDSWITH 'AGE'", "disk")
    check("CF.{Incident Type} IS NULL", "printer")
    check("CF.{Incident Type} IS NOT NULL", "mail", "disk")
    check("CF.Severity > 2", "mail", "printer")
    check("CF.Severity < 0", "disk")
    check("CF.Severity = 10", "printer")
    check("CF.Severity = '10.0'", "printer")
    check("CF.Severity >= 3", "mail", "printer")
    check("CF.Severity <= -2.5", "disk")
    check("CF.Seen = '2024-11-29'", "mail")
    check("CF.Seen > '2024-11-29'", "disk")
    check("CF.Seen < '2024-12-01'", "mail")
    check("CF.Detected = '2024-11-29'", "mail")
    check("CF.Detected > '2024-11-30'", "disk")
    check("CF.Source = '192.0.2.10'", "mail")
    check("CF.Source = '192.0.2.0/24'", "mail")
    check("CF.Source = '192.0.2.1-192.0.2.9'")
    check("CF.Source = '2001:db8::/32'", "printer")
    check("CF.Source > '192.0.2.1'", "mail", "printer")
    check("CF.Network = '10.0.0.77'", "mail")
    check("CF.Network = '10.0.1.5'", "disk")
    check("CF.Network = '10.0.0.0/16'", "mail", "disk")
    check("CF.Network = '10.0.2.1'")
    check("CF.Notes LIKE 'SECOND'", "printer")
    check("CF.{No such field} = 'x'")
    check("CF.{No such field} IS NULL", "mail", "printer", "disk")
    check("CF.Severity = 'not a number'")


def test_custom_field_errors(world):
    with pytest.raises(TicketSQLError) as excinfo:
        search(world.admin, "CF.A = CF.B")
    assert (
        excinfo.value.message
        == "CF.A cannot be compared with a custom field at position 8"
    )


def test_watchers_compared_with_the_tickets_own_users(world):
    from tracker.models import Ticket

    assert ids(world.admin, "AdminCc.id = Owner") == []
    Ticket.objects.filter(pk=world.disk.pk).update(owner=world.alice)
    assert ids(world.admin, "AdminCc.id = Owner") == [world.disk.pk]
    assert ids(world.admin, "AdminCc != Owner") == expect(world, "mail", "printer")
    assert ids(world.admin, "Requestor = Creator") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("RequestorGroup = 'Helpdesk'", ["disk"]),
        ("RequestorGroup = 'Oncall'", []),
        ("RequestorGroup != 'helpdesk'", ["mail", "printer"]),
        ("WatcherGroup LIKE 'help'", ["disk"]),
        ("CCGroup LIKE 'help'", []),
        ("AdminCCGroup STARTSWITH 'x'", []),
    ],
)
def test_watcher_groups_by_name(world, query, expected):
    assert ids(world.admin, query) == expect(world, *expected)
