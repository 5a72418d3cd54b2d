"""`manage.py seed_demo` on a fresh database: runs once, refuses or skips after that."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from queues.models import Queue
from tests.factories import make_user
from tracker.models import Ticket

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_output_reports_counts_and_that_demo_users_have_no_password():
    output = seed()

    assert f"{Ticket.objects.count()} tickets" in output
    assert "Demo users have no password" in output
    assert "ensure_admin" in output


def test_once_twice_is_harmless():
    seed("--once")
    tickets = Ticket.objects.count()

    output = seed("--once")

    assert output.strip() == "Demo data already loaded"
    assert Ticket.objects.count() == tickets


def test_second_run_without_once_is_refused():
    seed()
    tickets = Ticket.objects.count()

    with pytest.raises(CommandError, match="already loaded"):
        seed()

    assert Ticket.objects.count() == tickets


def test_a_name_clash_leaves_nothing_behind():
    make_user(username="carol", privileged=True)

    with pytest.raises(CommandError, match="nothing was saved"):
        seed()

    assert not Queue.objects.filter(name="security").exists()
    assert not Ticket.objects.exists()
