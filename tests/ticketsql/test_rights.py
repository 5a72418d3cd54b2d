"""A search never returns a ticket the user may not see, and runs as one statement."""

from __future__ import annotations

import pytest

from tests.factories import (
    grant,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import queries, rights
from tracker.ticketsql import search

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "Status = '__Active__'",
    "Status = 'resolved' OR Status = 'deleted'",
    "Queue = 'Secret' OR Queue = 'Open'",
    "Requestor.EmailAddress LIKE 'example'",
    "Owner = 'Nobody'",
    "Content LIKE 'secret'",
    "Subject LIKE 'ticket' AND Priority >= 0",
    "id > 0",
]


@pytest.fixture
def mixed():
    """Two queues; one user who sees one queue, one who sees only what they requested,
    one member of a group granted the other queue, and one who sees nothing."""
    open_queue = make_queue("Open")
    secret = make_queue("Secret")
    viewer = make_staff(username="viewer")
    grant("ShowTicket", user=viewer, queue=open_queue)
    customer = make_user(username="customer", email="customer@example.org")
    member = make_staff(username="member")
    grant("ShowTicket", group=make_group("Secret keepers", member), queue=secret)
    outsider = make_staff(username="outsider")
    tickets = []
    for queue in (open_queue, secret):
        for n in range(3):
            tickets.append(
                make_ticket(
                    queue=queue,
                    subject=f"Ticket {n} in {queue.name}",
                    body="A secret message.",
                    requestors=[customer if n == 0 else f"someone{n}@example.com"],
                    status=["new", "open", "resolved"][n],
                )
            )
    return {
        "viewer": viewer,
        "customer": customer,
        "member": member,
        "outsider": outsider,
    }


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["viewer", "customer", "member", "outsider"])
def test_a_search_never_returns_an_invisible_ticket(mixed, who, query):
    user = mixed[who]
    visible = set(queries.visible_tickets(user).values_list("pk", flat=True))
    found = set(search(user, query).values_list("pk", flat=True))
    assert found <= visible


def test_each_user_gets_exactly_their_visible_tickets_for_an_empty_query(mixed):
    for user in mixed.values():
        expected = sorted(
            queries.visible_tickets(user)
            .exclude(status="deleted")
            .values_list("pk", flat=True)
        )
        assert list(search(user, "").values_list("pk", flat=True)) == expected
    assert list(search(mixed["outsider"], "")) == []
    assert len(search(mixed["customer"], "")) == 2  # the tickets they requested
    assert len(search(mixed["viewer"], "Queue = 'Secret'")) == 0


def test_a_disabled_user_finds_nothing(mixed):
    user = mixed["viewer"]
    user.is_active = False
    assert list(search(user, "")) == []


COSTLY = (
    "Queue = 'Open' AND Status = '__Active__' AND Owner = '__CurrentUser__' "
    "OR Requestor.EmailAddress LIKE 'example' AND Created > '7 days ago' "
    "OR CF.{Incident Type} = 'phishing' OR Content LIKE 'timeout' "
    "OR DependsOn IS NOT NULL OR ContentType = 'text/html' OR Updated > 'yesterday'"
)


@pytest.mark.parametrize("who", ["viewer", "member", "customer"])
def test_a_search_is_one_statement(mixed, who, django_assert_num_queries):
    from lifecycles import registry

    user = mixed[who]
    rights.grants_for(user)
    registry.lifecycle_names()
    with django_assert_num_queries(1):
        list(
            search(
                user,
                COSTLY,
                order_by=["Priority", "CF.{Incident Type}", "Requestor"],
                order="DESC",
            )
        )


def test_content_search_does_not_reveal_comments_to_those_who_may_not_read_them(mixed):
    from tracker import services
    from tracker.models import Ticket
    from tracker.principals import system_user

    ticket = Ticket.objects.get(subject="Ticket 1 in Open")
    services.comment(
        ticket=ticket,
        actor=system_user(),
        body="Classified remark",
        uploads=[services.Upload("plan.pdf", "application/pdf", b"%PDF")],
    )
    services.correspond(ticket=ticket, actor=system_user(), body="Public reply")
    reader = make_staff(username="reader")
    grant("ShowTicket", user=reader, queue=ticket.queue)
    grant("ShowTicketComments", user=reader, queue=ticket.queue)
    viewer = mixed["viewer"]  # ShowTicket only

    for query in ("Content LIKE 'classified'", "Filename = 'plan.pdf'"):
        assert list(search(reader, query)) == [ticket], query
        assert list(search(viewer, query)) == [], query
    assert list(search(viewer, "Content LIKE 'public reply'")) == [ticket]
    assert ticket in search(viewer, "Content NOT LIKE 'classified'")


def test_comment_words_count_only_on_tickets_whose_comments_the_user_may_read(mixed):
    from tracker import services
    from tracker.models import Ticket
    from tracker.principals import system_user

    open_ticket = Ticket.objects.get(subject="Ticket 1 in Open")
    secret_ticket = Ticket.objects.get(subject="Ticket 1 in Secret")
    for ticket in (open_ticket, secret_ticket):
        services.comment(ticket=ticket, actor=system_user(), body="Classified remark")
    services.correspond(
        ticket=secret_ticket, actor=system_user(), body="A classified reply"
    )
    split = make_staff(username="split")  # comments in one of the two queues only
    for queue in (open_ticket.queue, secret_ticket.queue):
        grant("ShowTicket", user=split, queue=queue)
    grant("ShowTicketComments", user=split, queue=open_ticket.queue)

    assert list(search(split, "Content LIKE 'remark'")) == [open_ticket]
    assert list(search(split, "Content LIKE 'classified'", order_by="id")) == [
        open_ticket,
        secret_ticket,
    ]
    not_remark = search(split, "Content NOT LIKE 'remark'")
    assert secret_ticket in not_remark
    assert open_ticket not in not_remark


def test_custom_field_values_count_only_where_the_user_may_see_them(mixed):
    from tests.ticketsql.conftest import make_field
    from tracker import services
    from tracker.models import Ticket
    from tracker.principals import system_user

    field = make_field("Severity", "number")
    tickets = list(Ticket.objects.filter(queue__name="Open").order_by("id"))
    for ticket, value in zip(tickets, ("3", "1", "2"), strict=True):
        services.set_custom_field(
            ticket=ticket, field=field, values=value, actor=system_user()
        )
    seer = make_staff(username="seer")
    grant("ShowTicket", user=seer, queue=tickets[0].queue)
    grant("SeeCustomField", user=seer, queue=tickets[0].queue)
    viewer = mixed["viewer"]  # ShowTicket only: the values read as empty
    ids = [t.pk for t in tickets]

    def found(user, query, **ordering):
        return list(search(user, query, **ordering).values_list("pk", flat=True))

    assert found(seer, "CF.Severity > 1") == [ids[0], ids[2]]
    assert found(viewer, "CF.Severity > 1") == []
    assert found(viewer, "CF.Severity IS NOT NULL") == []
    assert found(viewer, "CF.Severity IS NULL") == ids
    assert found(viewer, "CF.Severity != 3") == ids
    assert found(seer, "CF.Severity != 3") == ids[1:]
    assert found(seer, "", order_by="CF.Severity") == [ids[1], ids[2], ids[0]]
    assert found(viewer, "", order_by="CF.Severity") == ids
