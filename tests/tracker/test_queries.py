"""Reads: one lookup that hides what the user may not see, history filtered by rights,
and ticket lists filtered in SQL at a constant query cost."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.factories import (
    grant,
    grant_many,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import queries, rights, services
from tracker.errors import NotFound
from tracker.history import record_transaction
from tracker.models import TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return make_queue("Helpdesk")


@pytest.fixture
def viewer(queue):
    user = make_staff()
    grant("ShowTicket", user=user, queue=queue)
    return user


@pytest.fixture
def ticket(queue):
    return make_ticket(queue=queue, body="The first message.")


# --- get_ticket_for ---------------------------------------------------------------------


def test_get_ticket_for_returns_a_visible_ticket(viewer, ticket):
    assert queries.get_ticket_for(viewer, ticket.pk) == ticket


def test_get_ticket_for_a_missing_number_is_not_found(viewer):
    with pytest.raises(NotFound) as excinfo:
        queries.get_ticket_for(viewer, 999999)

    assert excinfo.value.message == "No ticket #999999 that you may see."


def test_get_ticket_for_a_hidden_ticket_is_not_found_the_same_way(ticket):
    outsider = make_staff()

    with pytest.raises(NotFound) as excinfo:
        queries.get_ticket_for(outsider, ticket.pk)

    assert type(excinfo.value) is NotFound
    assert excinfo.value.message == f"No ticket #{ticket.pk} that you may see."


def test_get_ticket_for_checks_the_right_asked_for(viewer, ticket):
    with pytest.raises(NotFound):
        queries.get_ticket_for(viewer, ticket.pk, right="ModifyTicket")


def test_get_ticket_for_a_merged_number_returns_the_survivor(queue, viewer, ticket):
    survivor = make_ticket(queue=queue)
    services.merge_tickets(source=ticket, target=survivor, actor=system_user())

    assert queries.get_ticket_for(viewer, ticket.pk) == survivor


def test_get_ticket_for_a_merged_number_checks_the_survivor(viewer, ticket):
    hidden_survivor = make_ticket(queue=make_queue("Secret"))
    services.merge_tickets(source=ticket, target=hidden_survivor, actor=system_user())

    with pytest.raises(NotFound):
        queries.get_ticket_for(viewer, ticket.pk)


# --- ticket_history ---------------------------------------------------------------------


def test_history_hides_comments_without_show_ticket_comments(viewer, ticket):
    services.correspond(ticket=ticket, actor=system_user(), body="Public reply")
    services.comment(ticket=ticket, actor=system_user(), body="Private note")

    types = [t.type for t in queries.ticket_history(ticket, viewer)]

    assert types == ["Create", "Correspond"]


def test_history_shows_comments_with_show_ticket_comments(queue, viewer, ticket):
    grant("ShowTicketComments", user=viewer, queue=queue)
    services.correspond(ticket=ticket, actor=system_user(), body="Public reply")
    services.comment(ticket=ticket, actor=system_user(), body="Private note")

    types = [t.type for t in queries.ticket_history(ticket, viewer)]

    assert types == ["Create", "Correspond", "Comment"]


def test_history_hides_copies_of_outgoing_mail_without_show_outgoing_email(
    queue, viewer, ticket
):
    with transaction.atomic():
        record_transaction(
            ticket=ticket, type=TransactionType.EMAIL_RECORD, actor=system_user()
        )
    watcher = make_staff()
    grant_many(["ShowTicket", "ShowOutgoingEmail"], user=watcher, queue=queue)

    hidden = [t.type for t in queries.ticket_history(ticket, viewer)]
    shown = [t.type for t in queries.ticket_history(ticket, watcher)]

    assert "EmailRecord" not in hidden
    assert "EmailRecord" in shown


def test_history_comes_in_id_order_with_attachments(viewer, ticket):
    for n in range(3):
        services.correspond(ticket=ticket, actor=system_user(), body=f"Reply {n}")

    rows = list(queries.ticket_history(ticket, viewer))

    assert [t.pk for t in rows] == sorted(t.pk for t in rows)
    assert rows[0].attachments.all()[0].content == "The first message."


def test_history_costs_three_queries_whatever_its_length(
    viewer, ticket, django_assert_num_queries
):
    for n in range(10):
        services.correspond(ticket=ticket, actor=system_user(), body=f"Reply {n}")
    rights.grants_for(viewer)
    rights.has_right(viewer, "ShowTicketComments", ticket)

    with django_assert_num_queries(3):
        rows = list(queries.ticket_history(ticket, viewer))
        _ = [(t.creator.username, list(t.attachments.all())) for t in rows]

    assert len(rows) == 11


# --- visible_tickets --------------------------------------------------------------------


def test_visible_tickets_lists_only_what_the_user_may_see(queue, viewer, ticket):
    hidden = make_ticket(queue=make_queue("Secret"))

    visible = set(queries.visible_tickets(viewer))

    assert ticket in visible
    assert hidden not in visible


def test_visible_tickets_takes_the_right_to_filter_on(queue, viewer, ticket):
    editor = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=editor, queue=queue)

    assert list(queries.visible_tickets(viewer, rights.MODIFY_TICKET)) == []
    assert list(queries.visible_tickets(editor, rights.MODIFY_TICKET)) == [ticket]


def test_tickets_for_requestor_lists_the_user_requests_only(queue):
    customer = make_user()
    mine = make_ticket(queue=queue, requestors=[customer])
    make_ticket(queue=queue, cc=[customer])
    make_ticket(queue=queue, requestors=[make_user()])

    assert list(queries.tickets_for_requestor(customer)) == [mine]


def constant_cost_user(queue):
    """A user whose visibility mixes direct, group, role and queue-watcher grants."""
    user = make_staff()
    grant("ShowTicket", user=user, queue=make_queue("Direct"))
    grant("ShowTicket", group=make_group("Team", user), queue=make_queue("Team queue"))
    grant("ShowTicket", role="Cc", queue=queue)
    grant("ShowTicket", role="Owner", queue=queue)
    services.add_queue_watcher(
        queue=make_queue("Watched"), role="AdminCc", principal=user, actor=system_user()
    )
    grant("ShowTicket", role="AdminCc")
    return user


@pytest.mark.parametrize("how_many", [3, 30])
def test_visible_tickets_costs_one_query_whatever_the_number_of_tickets(
    queue, how_many, django_assert_num_queries
):
    user = constant_cost_user(queue)
    for n in range(how_many):
        make_ticket(queue=queue, cc=[user] if n % 2 else [], requestors=[make_user()])
    rights.grants_for(user)  # loading grants is a fixed cost, paid once per request

    with django_assert_num_queries(1):
        tickets = list(queries.visible_tickets(user))

    assert len(tickets) == how_many // 2


def test_visible_tickets_builds_a_lazy_queryset(queue, django_assert_num_queries):
    user = constant_cost_user(queue)
    rights.grants_for(user)

    with django_assert_num_queries(0):
        queries.visible_tickets(user)


def test_visible_tickets_for_a_superuser_is_every_unmerged_ticket(queue, ticket):
    root = make_staff()
    grant("SuperUser", user=root)
    elsewhere = make_ticket(queue=make_queue("Secret"))
    merged = make_ticket(queue=queue)
    services.merge_tickets(source=merged, target=ticket, actor=system_user())

    assert set(queries.visible_tickets(root)) == {ticket, elsewhere}


def test_ticket_history_hides_custom_field_changes_without_see_custom_field():
    from tracker.models import CustomField, QueueCustomField

    queue = make_queue()
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    ticket = make_ticket(queue=queue)
    services.set_custom_field(
        ticket=ticket, field=field, values=["High"], actor=system_user()
    )
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=queue)

    def types() -> set[str]:
        return set(
            queries.ticket_history(ticket, viewer).values_list("type", flat=True)
        )

    assert TransactionType.CUSTOM_FIELD not in types()
    grant("SeeCustomField", user=viewer, queue=queue)
    assert TransactionType.CUSTOM_FIELD in types()
