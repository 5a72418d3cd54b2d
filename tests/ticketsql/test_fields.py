"""Every ticket field and operator, run as a superuser against a small mixed world."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.ticketsql.conftest import ids
from tracker.models import Ticket
from tracker.ticketsql import TicketSQLError, search

pytestmark = pytest.mark.django_db


def test_an_empty_query_gives_every_visible_ticket_but_deleted_ones(world):
    assert ids(world.admin, "") == world.all


def test_deleted_tickets_only_when_asked_for(world):
    assert world.gone.pk not in ids(world.admin, "Queue = 'NOC'")
    assert ids(world.admin, "Status = 'deleted'") == [world.gone.pk]
    assert ids(world.admin, "Status = 'Deleted' OR Status = 'open'") == sorted(
        [world.gone.pk, world.mail.pk]
    )


def test_merged_tickets_never_appear(world):
    from tracker import services
    from tracker.principals import system_user

    services.merge_tickets(source=world.printer, target=world.mail, actor=system_user())
    assert world.printer.pk not in ids(world.admin, "")
    assert ids(world.admin, f"id = {world.printer.pk}") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("id = {mail}", ["mail"]),
        ("id != {mail}", ["printer", "disk"]),
        ("id > {mail}", ["printer", "disk"]),
        ("id >= {printer}", ["printer", "disk"]),
        ("id < {printer}", ["mail"]),
        ("id <= {printer}", ["mail", "printer"]),
        ("id = '{mail}'", ["mail"]),
        ("EffectiveId = {disk}", ["disk"]),
        ("Priority = 10", ["mail"]),
        ("Priority > 5", ["mail", "disk"]),
        ("Priority <= 10", ["mail", "printer"]),
        ("Priority != 10", ["printer", "disk"]),
        ("Priority = -1", []),
        ("InitialPriority = 0", ["mail", "printer", "disk"]),
        ("FinalPriority > 0", []),
        ("TimeWorked = 30", ["mail"]),
        ("TimeWorked IS NOT NULL", ["mail", "printer", "disk"]),
        ("TimeEstimated = 0", ["mail", "printer", "disk"]),
        ("TimeLeft > 0", []),
        ("Priority > InitialPriority", ["mail", "printer", "disk"]),
        ("Priority < TimeWorked", ["mail"]),
    ],
)
def test_number_fields(world, query, expected):
    query = query.format(
        mail=world.mail.pk, printer=world.printer.pk, disk=world.disk.pk
    )
    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Subject = 'printer jam'", ["printer"]),
        ("Subject != 'Printer jam'", ["mail", "disk"]),
        ("Subject LIKE 'TIMEOUT'", ["mail"]),
        ("Subject NOT LIKE 'timeout'", ["printer", "disk"]),
        ("Subject STARTSWITH 'disk'", ["disk"]),
        ("Subject NOT STARTSWITH 'disk'", ["mail", "printer"]),
        ("Subject ENDSWITH 'DB1'", ["disk"]),
        ("Subject NOT ENDSWITH 'db1'", ["mail", "printer"]),
        ("Subject LIKE '%'", []),
        ("Subject LIKE '_'", []),
        ("Subject > 'N'", ["printer"]),
        ("Subject IS NULL", []),
        ("Subject IS NOT NULL", ["mail", "printer", "disk"]),
        ("Status = 'open'", ["mail"]),
        ("Status = open", ["mail"]),
        ("status = 'OPEN'", ["mail"]),
        ("Status != 'open'", ["printer", "disk"]),
        ("Status LIKE 'solv'", ["disk"]),
        ("Status = '__Active__'", ["mail", "printer"]),
        ("Status = '__Inactive__'", ["disk"]),
        ("Status != '__Active__'", ["disk"]),
        ("Type = 'ticket'", ["mail", "printer", "disk"]),
        ("Type != 'ticket'", []),
        ("Lifecycle = 'default'", ["mail", "printer", "disk"]),
    ],
)
def test_text_fields(world, query, expected):
    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Queue = 'NOC'", ["mail", "disk"]),
        ("Queue = 'noc'", ["mail", "disk"]),
        ("Queue = NOC", ["mail", "disk"]),
        ("Queue != 'NOC'", ["printer"]),
        ("Queue LIKE 'gen'", ["printer"]),
        ("Queue NOT LIKE 'gen'", ["mail", "disk"]),
        ("Queue STARTSWITH 'N'", ["mail", "disk"]),
        ("Queue ENDSWITH 'al'", ["printer"]),
    ],
)
def test_queue_by_name(world, query, expected):
    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)


def test_queue_by_id(world):
    assert ids(world.admin, f"Queue = {world.mail.queue_id}") == sorted(
        [world.mail.pk, world.disk.pk]
    )
    assert ids(world.admin, f"Queue != '{world.mail.queue_id}'") == [world.printer.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Owner = 'alice'", ["mail"]),
        ("Owner = 'ALICE'", ["mail"]),
        ("Owner = 'Nobody'", ["printer", "disk"]),
        ("Owner = Nobody", ["printer", "disk"]),
        ("Owner != 'Nobody'", ["mail"]),
        ("Owner LIKE 'lic'", ["mail"]),
        ("Owner NOT LIKE 'lic'", ["printer", "disk"]),
        ("Owner STARTSWITH 'nob'", ["printer", "disk"]),
        ("Owner.EmailAddress = 'alice@example.org'", ["mail"]),
        ("Owner.EmailAddress ENDSWITH '@EXAMPLE.ORG'", ["mail"]),
        ("Owner.RealName LIKE 'liddell'", ["mail"]),
        ("Owner.Name = 'alice'", ["mail"]),
        ("Creator = 'RT_System'", ["mail", "printer", "disk"]),
        ("Creator != 'RT_System'", []),
        ("LastUpdatedBy = 'RT_System'", ["mail", "printer", "disk"]),
        ("Owner IS NULL", []),
        ("Owner IS NOT NULL", ["mail", "printer", "disk"]),
        ("Owner = Creator", []),
        ("Owner != LastUpdatedBy", ["mail", "printer", "disk"]),
    ],
)
def test_user_fields(world, query, expected):
    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)


def test_user_fields_by_id_and_current_user(world):
    alice = world.alice
    assert ids(world.admin, f"Owner = {alice.pk}") == [world.mail.pk]
    assert ids(world.admin, f"Owner.id = '{alice.pk}'") == [world.mail.pk]
    assert ids(world.admin, f"Owner.id > {alice.pk}") == []
    assert ids(alice, "Owner = '__CurrentUser__'") == []  # alice may see nothing yet
    assert ids(world.admin, "Owner = '__CurrentUser__'") == []
    Ticket.objects.filter(pk=world.disk.pk).update(owner=world.admin)
    assert ids(world.admin, "Owner = '__CurrentUser__'") == [world.disk.pk]
    assert ids(world.admin, "Owner = '__CurrentUserName__'") == [world.disk.pk]
    assert ids(world.admin, "Owner != '__CurrentUser__'") == sorted(
        [world.mail.pk, world.printer.pk]
    )


def test_date_fields_compare_with_relative_and_absolute_dates(world):
    now = timezone.now()
    Ticket.objects.filter(pk=world.mail.pk).update(created=now - timedelta(days=10))
    Ticket.objects.filter(pk=world.printer.pk).update(created=now - timedelta(hours=2))
    assert ids(world.admin, "Created < '7 days ago'") == [world.mail.pk]
    assert ids(world.admin, "Created > '-7 days'") == sorted(
        [world.printer.pk, world.disk.pk]
    )
    assert ids(world.admin, "Created > 'last week'") == sorted(
        [world.printer.pk, world.disk.pk]
    )
    assert ids(world.admin, "Created <= 'now'") == world.all
    assert ids(world.admin, "Created >= 'tomorrow'") == []
    assert ids(world.admin, "Created > '3 hours ago'") == sorted(
        [world.printer.pk, world.disk.pk]
    )
    assert ids(world.admin, "Created < 'yesterday'") == [world.mail.pk]
    day = (now - timedelta(days=10)).date().isoformat()
    assert ids(world.admin, f"Created = '{day}'") == [world.mail.pk]
    assert ids(world.admin, f"Created != '{day}'") == sorted(
        [world.printer.pk, world.disk.pk]
    )


def test_date_equality_is_the_whole_day_in_the_users_zone(world):
    from datetime import UTC, datetime

    # 23:30 UTC on 1 March is already 2 March in Tokyo.
    Ticket.objects.filter(pk=world.mail.pk).update(
        due=datetime(2030, 3, 1, 23, 30, tzinfo=UTC)
    )
    world.admin.time_zone = "Asia/Tokyo"
    assert ids(world.admin, "Due = '2030-03-02'") == [world.mail.pk]
    assert ids(world.admin, "Due = '2030-03-01'") == []
    world.admin.time_zone = "UTC"
    assert ids(world.admin, "Due = '2030-03-01'") == [world.mail.pk]
    world.admin.time_zone = ""
    assert ids(world.admin, "Due = '2030-03-01'") == [world.mail.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Due IS NULL", ["printer", "disk"]),
        ("Due IS NOT NULL", ["mail"]),
        ("Due > '2030-01-01'", ["mail"]),
        ("Due = '2030-01-15'", ["mail"]),
        ("Due < 'today'", []),
        ("Resolved IS NOT NULL", ["disk"]),
        ("Resolved IS NULL", ["mail", "printer"]),
        ("Started IS NOT NULL", ["mail", "disk"]),
        ("Starts IS NULL", ["mail", "printer", "disk"]),
        ("Told IS NULL", ["mail", "printer", "disk"]),
        ("LastUpdated > '1 hour ago'", ["mail", "printer", "disk"]),
        ("LastUpdated >= Created", ["mail", "printer", "disk"]),
        ("Due > Created", ["mail"]),
        ("Updated > '1 hour ago'", ["mail", "printer", "disk"]),
        ("TransactionDate < '1 hour ago'", []),
        ("UpdatedBy = 'RT_System'", ["mail", "printer", "disk"]),
    ],
)
def test_date_fields(world, query, expected):
    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Flavour = 'x'", "unknown field 'Flavour' at position 1"),
        ("Status.Name = 'x'", "Status has no field 'Name' at position 1"),
        ("Requestor.Shoe = 'x'", "unknown user field 'Shoe' at position 1"),
        ("Priority LIKE 5", "'LIKE' cannot be used with Priority at position 1"),
        (
            "Priority = 'high'",
            "expecting a whole number for Priority, found 'high' at position 12",
        ),
        (
            "id = 99999999999999999999",
            "expecting a whole number for id, found '99999999999999999999' at position 6",
        ),
        (
            "Created = 'someday'",
            "'someday' is not a date Created understands at position 11",
        ),
        ("Created LIKE '2024'", "'LIKE' cannot be used with Created at position 1"),
        (
            "Created > Priority",
            "Created cannot be compared with Priority at position 11",
        ),
        ("Content > 'x'", "'>' cannot be used with Content at position 1"),
        ("DependsOn < 3", "'<' cannot be used with DependsOn at position 1"),
        (
            "Subject = 'CF.{X}'",
            "Subject cannot be compared with a custom field at position 11",
        ),
        (
            "Owner.id = 'alice'",
            "expecting a whole number for Owner.id, found 'alice' at position 12",
        ),
        ("Owner.id LIKE 3", "'LIKE' cannot be used with Owner.id at position 1"),
    ],
)
def test_bad_fields_operators_and_values(world, query, message):
    with pytest.raises(TicketSQLError) as excinfo:
        search(world.admin, query)
    assert excinfo.value.message == message


def test_and_or_and_parentheses(world):
    assert ids(
        world.admin, "Queue = 'NOC' AND (Status = 'open' OR Priority > 20)"
    ) == sorted([world.mail.pk, world.disk.pk])
    assert ids(
        world.admin, "Queue = 'General' OR Status = 'open' AND Priority > 20"
    ) == [world.printer.pk]
    assert ids(
        world.admin, "(Queue = 'General' OR Status = 'open') AND Priority < 20"
    ) == sorted([world.mail.pk, world.printer.pk])


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "9999-12-31 23:59"])
@pytest.mark.parametrize("field", ["Created", "Updated", "CF.{Seen}"])
def test_dates_at_the_ends_of_the_calendar_are_errors_or_results(
    world, zone, value, field
):
    world.admin.time_zone = zone
    for operator in ("=", "<", ">", "!="):
        try:
            ids(world.admin, f"{field} {operator} '{value}'")
        except TicketSQLError as error:
            assert "is not a date" in error.message  # noqa: PT017


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("FinalPriority = 90", ["printer"]),
        ("FinalPriority >= 90", ["printer"]),
        ("TimeEstimated > 100", ["printer"]),
        ("TimeLeft < 60 AND TimeLeft > 0", ["printer"]),
        ("Starts = '2030-02-01'", ["printer"]),
        ("Starts IS NOT NULL", ["printer"]),
        ("Told < 'today'", ["printer"]),
        ("Told IS NOT NULL", ["printer"]),
        ("Started < Starts", ["printer"]),
    ],
)
def test_fields_set_on_one_ticket_find_only_it(world, query, expected):
    from datetime import UTC, datetime

    Ticket.objects.filter(pk=world.printer.pk).update(
        final_priority=90,
        time_estimated=120,
        time_left=45,
        starts=datetime(2030, 2, 1, 9, tzinfo=UTC),
        started=datetime(2020, 1, 1, 9, tzinfo=UTC),
        told=datetime(2020, 1, 2, 9, tzinfo=UTC),
    )

    assert ids(world.admin, query) == sorted(getattr(world, n).pk for n in expected)
