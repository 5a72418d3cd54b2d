"""Due dates from a queue's service level, in business hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scrips.models import ServiceLevel
from scrips.sla import add_business_minutes, sla_due
from tests.factories import make_ticket
from tracker import services
from tracker.models import Ticket

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def _level(queue=None, **fields):
    fields.setdefault("name", "Gold")
    return (
        ServiceLevel(queue=queue, **fields)
        if queue is None
        else (ServiceLevel.objects.create(queue=queue, **fields))
    )


def test_business_minutes_within_the_same_day():
    level = _level(workday_start=time(9), workday_end=time(17))
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert add_business_minutes(monday_10, 120, level) == monday_10 + timedelta(hours=2)


def test_business_minutes_carry_over_to_the_next_workday():
    level = _level(workday_start=time(9), workday_end=time(17))
    monday_16 = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert add_business_minutes(monday_16, 120, level) == datetime(
        2026, 11, 24, 10, 0, tzinfo=UTC
    )


def test_business_minutes_skip_the_weekend():
    level = _level(workday_start=time(9), workday_end=time(17))
    friday_16 = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert add_business_minutes(friday_16, 120, level) == datetime(
        2026, 11, 30, 10, 0, tzinfo=UTC
    )


def test_a_request_at_night_starts_counting_next_morning():
    level = _level(workday_start=time(9), workday_end=time(17))
    tuesday_2am = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert add_business_minutes(tuesday_2am, 30, level) == datetime(
        2026, 11, 24, 9, 30, tzinfo=UTC
    )


def test_business_hours_follow_the_level_time_zone():
    level = _level(
        workday_start=time(9), workday_end=time(17), time_zone="Europe/Paris"
    )
    monday_7_utc = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    assert add_business_minutes(monday_7_utc, 60, level) == datetime(
        2026, 11, 23, 10, 0, tzinfo=PARIS
    )


def test_real_minutes_ignore_business_hours():
    level = _level(business_hours_only=False)
    saturday = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert add_business_minutes(saturday, 90, level) == saturday + timedelta(minutes=90)


@pytest.fixture
def sla_queue(queue):
    _level(
        queue,
        response_minutes=60,
        resolve_minutes=8 * 60 * 3,
        business_hours_only=False,
    )
    return queue


def test_new_ticket_is_due_at_the_response_target(
    sla_queue, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=sla_queue, requestors=[customer])
    ticket.refresh_from_db()
    assert ticket.due == ticket.created + timedelta(minutes=60)


def test_staff_answer_moves_due_to_the_resolve_target(
    sla_queue, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=sla_queue, requestors=[customer])
        services.correspond(ticket=ticket, actor=staff, body="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.due == ticket.created + timedelta(hours=24)


def test_requestor_follow_up_after_an_answer_restarts_the_response_clock(
    sla_queue, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=sla_queue, requestors=[customer])
        services.correspond(ticket=ticket, actor=staff, body="Try rebooting.")
        follow_up = services.correspond(ticket=ticket, actor=customer, body="No luck.")
    ticket.refresh_from_db()
    assert ticket.due == follow_up.created + timedelta(minutes=60)


def test_queue_without_a_service_level_keeps_its_due(queue):
    ticket = make_ticket(queue=queue)
    assert sla_due(ticket) is None
    assert Ticket.objects.get(pk=ticket.pk).due is None


@pytest.fixture
def keep_in_loop_queue(queue):
    _level(
        queue,
        response_minutes=60,
        keep_in_loop_minutes=4 * 60,
        resolve_minutes=8 * 60 * 3,
        business_hours_only=False,
    )
    return queue


def test_staff_answer_makes_the_next_update_due_within_keep_in_loop(
    keep_in_loop_queue, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=keep_in_loop_queue, requestors=[customer])
        answer = services.correspond(ticket=ticket, actor=staff, body="On it.")
    ticket.refresh_from_db()
    assert ticket.due == answer.created + timedelta(hours=4)


def test_pending_requestor_message_outranks_keep_in_loop(
    keep_in_loop_queue, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=keep_in_loop_queue, requestors=[customer])
        services.correspond(ticket=ticket, actor=staff, body="On it.")
        follow_up = services.correspond(ticket=ticket, actor=customer, body="Any news?")
    ticket.refresh_from_db()
    assert ticket.due == follow_up.created + timedelta(minutes=60)
