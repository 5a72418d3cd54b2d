"""What `seed_demo` loads, checked through the tracker's own rights and lifecycle rules.

The demo is seeded once for this module inside a transaction that is rolled back at the
end; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from lifecycles import registry
from queues.models import Queue
from tests.factories import make_user
from tracker import rights
from tracker.models import (
    CustomFieldValue,
    Group,
    Link,
    LinkType,
    QueueWatcher,
    Role,
    Ticket,
    TransactionType,
    User,
)
from tracker.queries import visible_tickets

pytestmark = pytest.mark.django_db

INCIDENT_PATH = ["triage", "incident", "closing", "post-incident", "resolved"]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        try:
            yield
        finally:
            transaction.set_rollback(True)


def user(username):
    # A fresh instance each time: rights are cached on the user object.
    return User.objects.get(username=username)


def queue(name):
    return Queue.objects.by_name(name)


def tickets_in(name):
    return Ticket.objects.filter(queue__name=name, merged_into__isnull=True)


def test_demo_queues_exist_with_their_addresses():
    queues = Queue.objects.filter(
        name__in=["security", "accounts", "connectivity", "General"]
    )

    assert queues.count() == 4
    for q in queues:
        assert q.correspond_address.endswith("@example.org")
        assert q.comment_address.endswith("@example.org")
    security = queue("security")
    assert security.subject_tag == "CSIRT"
    assert security.correspond_address == "security@example.org"
    assert security.comment_address == "security-comment@example.org"


def test_security_queue_uses_the_incident_lifecycle():
    assert queue("security").lifecycle.name == "incident"
    assert queue("accounts").lifecycle.name == "default"
    assert queue("connectivity").lifecycle.name == "default"


def test_connectivity_tickets_get_the_queue_defaults():
    connectivity = queue("connectivity")
    created_there = Ticket.objects.filter(queue=connectivity, due__isnull=False)

    assert (connectivity.default_due_days, connectivity.final_priority) == (2, 80)
    assert created_there.exists()
    assert all(t.final_priority == 80 for t in created_there)


def test_teams_are_groups_of_privileged_staff():
    teams = {
        g.name: {m.user.username for m in g.memberships.select_related("user")}
        for g in Group.objects.filter(name__in=["NOC", "CSIRT", "Helpdesk"])
    }

    assert teams == {
        "NOC": {"alice", "bob", "carol"},
        "CSIRT": {"dave", "erin", "frank"},
        "Helpdesk": {"grace", "heidi"},
    }
    assert all(user(name).is_privileged for names in teams.values() for name in names)


def test_customers_are_unprivileged():
    customers = User.objects.filter(username__endswith=".example", is_system=False)

    assert customers.count() >= 6
    assert not customers.filter(is_privileged=True).exists()


def test_demo_users_have_no_password():
    demo_users = User.objects.filter(is_system=False, is_superuser=False)

    assert demo_users.exists()
    assert not any(u.has_usable_password() for u in demo_users)


def test_about_fifty_tickets_spread_over_the_queues():
    assert 45 <= Ticket.objects.count() <= 55
    for name in ["security", "accounts", "connectivity", "General"]:
        assert tickets_in(name).count() >= 8


def test_every_demo_ticket_has_exactly_one_create_transaction():
    for ticket in Ticket.objects.all():
        creates = ticket.transactions.filter(type=TransactionType.CREATE)
        assert creates.count() == 1, ticket
        assert creates.get().creator_id == ticket.creator_id


def test_every_status_is_valid_in_its_queue_lifecycle():
    for ticket in Ticket.objects.select_related("queue__lifecycle"):
        lifecycle = registry.get_lifecycle(ticket.queue.lifecycle.name)
        assert lifecycle.is_valid(ticket.status), ticket


def test_some_incidents_went_through_the_whole_incident_lifecycle():
    full = [
        t
        for t in tickets_in("security")
        if list(
            t.transactions.filter(type=TransactionType.STATUS).values_list(
                "new_value", flat=True
            )
        )
        == INCIDENT_PATH
    ]

    assert len(full) >= 2
    assert all(t.status == "resolved" and t.resolved for t in full)


def test_security_tickets_are_spread_over_the_incident_statuses():
    statuses = set(tickets_in("security").values_list("status", flat=True))

    assert {"new", "triage", "incident", "resolved"} <= statuses


def test_csirt_member_sees_security_tickets_but_not_accounts_tickets():
    visible = visible_tickets(user("frank"))

    assert set(tickets_in("security")) <= set(visible)
    assert not visible.filter(queue__name="accounts").exists()


def test_noc_member_sees_only_the_security_tickets_they_reported():
    alice = user("alice")
    visible = visible_tickets(alice).filter(queue__name="security")
    reported = tickets_in("security").filter(
        watchers__role=Role.REQUESTOR, watchers__user=alice
    )

    assert reported.exists()
    assert set(visible) == set(reported)


def test_customer_sees_only_the_tickets_they_requested():
    customer = user("li.wei@acme.example")
    requested = Ticket.objects.filter(
        merged_into__isnull=True,
        watchers__role=Role.REQUESTOR,
        watchers__user=customer,
    )

    visible = set(visible_tickets(customer))

    assert visible == set(requested)
    assert 0 < len(visible) < Ticket.objects.count()


def test_customer_cannot_see_comments_on_their_own_ticket():
    customer = user("li.wei@acme.example")
    own = visible_tickets(customer).first()

    assert rights.has_right(customer, rights.SHOW_TICKET, own)
    assert not rights.has_right(customer, rights.SHOW_TICKET_COMMENTS, own)


def test_ticket_owners_may_own_tickets_in_their_queue():
    owned = Ticket.objects.exclude(owner__username="Nobody").select_related("owner")

    assert owned.count() >= 30
    for ticket in owned:
        assert rights.has_right(user(ticket.owner.username), rights.OWN_TICKET, ticket)


def test_incident_transitions_are_the_csirt_s_alone():
    in_triage = tickets_in("security").filter(status="triage").first()
    csirt, noc, stranger = user("erin"), user("alice"), make_user()

    for right in ["DeclareIncident", "CloseIncident", "RejectTicket", "ReopenIncident"]:
        assert rights.has_right(csirt, right, in_triage), right
        assert not rights.has_right(noc, right, in_triage), right
        assert not rights.has_right(stranger, right, in_triage), right


def test_only_team_leads_may_reassign():
    security, accounts, connectivity = (
        queue("security"),
        queue("accounts"),
        queue("connectivity"),
    )

    assert rights.has_right(user("dave"), rights.REASSIGN_TICKET, security)
    assert not rights.has_right(user("erin"), rights.REASSIGN_TICKET, security)
    assert rights.has_right(user("grace"), rights.REASSIGN_TICKET, accounts)
    assert not rights.has_right(user("heidi"), rights.REASSIGN_TICKET, accounts)
    assert rights.has_right(user("alice"), rights.REASSIGN_TICKET, connectivity)
    assert not rights.has_right(user("bob"), rights.REASSIGN_TICKET, connectivity)


def test_teams_work_only_in_their_own_queues():
    assert rights.has_right(user("bob"), rights.MODIFY_TICKET, queue("connectivity"))
    assert rights.has_right(user("heidi"), rights.MODIFY_TICKET, queue("General"))
    assert not rights.has_right(user("heidi"), rights.SEE_QUEUE, queue("connectivity"))
    assert not rights.has_right(user("bob"), rights.SEE_QUEUE, queue("security"))
    assert not rights.has_right(user("dave"), rights.SHOW_TICKET, queue("accounts"))


def test_anyone_may_report_incidents_and_request_accounts_but_not_open_noc_tickets():
    stranger = make_user()

    assert rights.has_right(stranger, rights.CREATE_TICKET, queue("security"))
    assert rights.has_right(stranger, rights.CREATE_TICKET, queue("accounts"))
    assert not rights.has_right(stranger, rights.CREATE_TICKET, queue("connectivity"))
    assert not visible_tickets(stranger).exists()


def test_teams_watch_their_queues_as_admincc():
    watchers = {
        (w.queue.name, w.group.name)
        for w in QueueWatcher.objects.filter(role=Role.ADMIN_CC).select_related(
            "queue", "group"
        )
    }

    assert watchers == {("security", "CSIRT"), ("connectivity", "NOC")}


def test_history_has_dependencies_parents_a_merge_and_time_worked():
    link_types = set(Link.objects.values_list("type", flat=True))

    assert {LinkType.DEPENDS_ON, LinkType.MEMBER_OF, LinkType.MERGED_INTO} <= link_types
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
    assert sum(Ticket.objects.values_list("time_worked", flat=True)) > 0


def test_custom_field_values_fit_their_fields():
    values = CustomFieldValue.objects.select_related("custom_field")
    by_field = {}
    for value in values:
        by_field.setdefault(value.custom_field.name, []).append(value.content)

    assert set(by_field) >= {"Severity", "IP", "Classification", "Site", "Circuit ID"}
    assert set(by_field["Severity"]) <= {"Low", "Medium", "High", "Critical"}
    assert all(re.fullmatch(r"[A-Z]{3}-\d{4}", v) for v in by_field["Circuit ID"])
    assert "Customer reference" in by_field
