"""Ordering: any sortable field, several keys, directions; unknown keys are errors."""

from __future__ import annotations

import pytest

from tests.ticketsql.conftest import ids, make_field
from tracker import services
from tracker.principals import system_user
from tracker.ticketsql import TicketSQLError, search

pytestmark = pytest.mark.django_db


def test_default_order_is_by_id(world):
    assert ids(world.admin, "") == world.all


def test_order_by_one_field_both_ways(world):
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    assert ids(world.admin, "", order_by="Priority") == [printer, mail, disk]
    assert ids(world.admin, "", order_by="priority", order="desc") == [
        disk,
        mail,
        printer,
    ]
    assert ids(world.admin, "", order_by="Subject") == [disk, mail, printer]
    assert ids(world.admin, "", order_by="Queue", order="DESC") == [mail, disk, printer]
    assert ids(world.admin, "", order_by="Owner") == [mail, printer, disk]
    assert ids(world.admin, "", order_by="id", order="DESC") == [disk, printer, mail]


def test_empty_dates_sort_last_either_way(world):
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    assert ids(world.admin, "", order_by="Due")[0] == mail
    assert ids(world.admin, "", order_by="Due", order="DESC")[0] == mail
    assert ids(world.admin, "", order_by="Resolved") == [disk, mail, printer]


def test_several_keys(world):
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    assert ids(
        world.admin, "", order_by=["Queue", "Priority"], order=["ASC", "DESC"]
    ) == [
        printer,
        disk,
        mail,
    ]
    assert ids(world.admin, "", order_by="Queue|Priority", order="ASC|ASC") == [
        printer,
        mail,
        disk,
    ]


def test_order_by_watchers_and_custom_fields(world):
    field = make_field("Rank", "number")
    for ticket, value in ((world.mail, "2"), (world.disk, "-1")):
        services.set_custom_field(
            ticket=ticket, field=field, values=value, actor=system_user()
        )
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    assert ids(world.admin, "", order_by="CF.{Rank}") == [disk, mail, printer]
    assert ids(world.admin, "", order_by="CF.Rank", order="DESC") == [
        mail,
        disk,
        printer,
    ]
    assert ids(world.admin, "", order_by="Requestor.EmailAddress") == [
        mail,
        printer,
        disk,
    ]


@pytest.mark.parametrize(
    ("order_by", "order", "message"),
    [
        ("Flavour", "ASC", "cannot sort by 'Flavour'"),
        ("id", "UP", "unknown sort order 'UP', use ASC or DESC"),
    ],
)
def test_bad_ordering_is_an_error(world, order_by, order, message):
    with pytest.raises(TicketSQLError) as excinfo:
        search(world.admin, "", order_by=order_by, order=order)
    assert excinfo.value.message == message
    assert excinfo.value.position == 0


def test_paging_is_slicing(world):
    found = search(world.admin, "", order_by="Priority")
    assert [t.pk for t in found[1:3]] == [world.mail.pk, world.disk.pk]


def test_a_comma_inside_a_custom_field_name_is_not_a_separator(world):
    field = make_field("Rank, overall", "number")
    for ticket, value in ((world.mail, "2"), (world.disk, "-1")):
        services.set_custom_field(
            ticket=ticket, field=field, values=value, actor=system_user()
        )
    mail, printer, disk = world.mail.pk, world.printer.pk, world.disk.pk
    assert ids(world.admin, "", order_by="CF.{Rank, overall},id", order="DESC") == [
        mail,
        disk,
        printer,
    ]
