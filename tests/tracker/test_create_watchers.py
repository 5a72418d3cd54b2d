"""The watchers given at creation, written in one go."""

from __future__ import annotations

import pytest

from tests.factories import make_ticket, make_user
from tracker.models import Group, Role

pytestmark = pytest.mark.django_db


def test_repeated_requestor_is_added_once():
    ticket = make_ticket(requestors=["a@example.com", "A@example.com", "a@example.com"])

    assert ticket.watchers.filter(role=Role.REQUESTOR).count() == 1


def test_same_person_in_two_roles_keeps_both():
    person = make_user(email="both@example.com")

    ticket = make_ticket(requestors=[person], cc=[person, "both@example.com"])

    assert sorted(ticket.watchers.values_list("role", flat=True)) == [
        Role.CC,
        Role.REQUESTOR,
    ]


def test_group_watcher_is_added():
    group = Group.objects.create(name="Support crew")

    ticket = make_ticket(admin_cc=[group])

    assert ticket.watchers.get(role=Role.ADMIN_CC).group == group
