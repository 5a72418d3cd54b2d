"""Each registered condition, on real transactions."""

from __future__ import annotations

import pytest

from scrips.conditions import CONDITIONS, get_condition, parse_status_argument
from tests.factories import make_staff, make_ticket
from tracker import services
from tracker.models import CustomField, QueueCustomField, Transaction, TransactionType
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")


@pytest.fixture
def ticket(queue):
    return make_ticket(queue=queue, requestors=["carol@customer.example"])


def _applies(name, txn, ticket, argument=""):
    return get_condition(name).is_applicable(txn, ticket, argument)


def _create_txn(ticket):
    return Transaction.objects.get(ticket=ticket, type=TransactionType.CREATE)


def _status(ticket, status):
    return services.set_status(ticket=ticket, status=status, actor=system_user())


def test_on_create_matches_create_only(ticket):
    assert _applies("On Create", _create_txn(ticket), ticket)
    reply = services.correspond(ticket=ticket, actor=system_user(), body="x")
    assert not _applies("On Create", reply, ticket)


def test_on_transaction_matches_anything(ticket):
    assert _applies("On Transaction", _status(ticket, "open"), ticket)


def test_on_correspond_matches_replies_not_comments(ticket):
    reply = services.correspond(ticket=ticket, actor=system_user(), body="x")
    note = services.comment(ticket=ticket, actor=system_user(), body="x")
    assert _applies("On Correspond", reply, ticket)
    assert not _applies("On Correspond", note, ticket)


def test_on_comment_matches_comments(ticket):
    note = services.comment(ticket=ticket, actor=system_user(), body="x")
    assert _applies("On Comment", note, ticket)


def test_on_status_change_without_argument_matches_any_change(ticket):
    assert _applies("On Status Change", _status(ticket, "open"), ticket)


def test_on_status_change_with_a_bare_status_matches_that_target(ticket):
    txn = _status(ticket, "open")
    assert _applies("On Status Change", txn, ticket, "open")
    assert not _applies("On Status Change", txn, ticket, "resolved")


def test_on_status_change_with_old_and_new(ticket):
    _status(ticket, "open")
    txn = _status(ticket, "stalled")
    assert _applies("On Status Change", txn, ticket, "old: open; new: stalled")
    assert not _applies("On Status Change", txn, ticket, "old: new; new: stalled")


def test_on_status_change_accepts_categories(ticket):
    txn = _status(ticket, "resolved")
    assert _applies("On Status Change", txn, ticket, "old: initial; new: inactive")
    assert not _applies("On Status Change", txn, ticket, "new: active")


def test_status_argument_parsing():
    assert parse_status_argument("") == (set(), set())
    assert parse_status_argument("resolved") == (set(), {"resolved"})
    assert parse_status_argument("old: a, b; new: c") == ({"a", "b"}, {"c"})


def test_on_resolve_matches_resolution(ticket):
    assert _applies("On Resolve", _status(ticket, "resolved"), ticket)
    assert not _applies("On Resolve", _status(ticket, "open"), ticket)


def test_on_reject_matches_rejection(ticket):
    assert _applies("On Reject", _status(ticket, "rejected"), ticket)


def test_on_close_matches_entering_an_inactive_status(ticket):
    assert _applies("On Close", _status(ticket, "rejected"), ticket)


def test_on_reopen_matches_leaving_an_inactive_status(ticket):
    _status(ticket, "resolved")
    assert _applies("On Reopen", _status(ticket, "open"), ticket)


def test_on_reopen_ignores_first_opening(ticket):
    assert not _applies("On Reopen", _status(ticket, "open"), ticket)


def test_on_owner_change(ticket, queue):
    owner = make_staff()
    services.grant_right(
        right="OwnTicket", actor=system_user(), user=owner, queue=queue
    )
    txn = services.set_owner(ticket=ticket, owner=owner, actor=system_user())
    assert _applies("On Owner Change", txn, ticket)
    assert not _applies("On Priority Change", txn, ticket)


def test_on_priority_change(ticket):
    [txn] = services.set_fields(ticket=ticket, actor=system_user(), priority=50)
    assert _applies("On Priority Change", txn, ticket)


def test_on_queue_change(ticket, queue):
    from tests.factories import make_queue

    txns = services.move_ticket(ticket=ticket, queue=make_queue(), actor=system_user())
    assert _applies("On Queue Change", txns[0], ticket)


def test_on_custom_field_change_by_name(ticket, queue):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    [txn] = services.set_custom_field(
        ticket=ticket, field=field, values=["high"], actor=system_user()
    )
    assert _applies("On Custom Field Change", txn, ticket)
    assert _applies("On Custom Field Change", txn, ticket, "severity")
    assert not _applies("On Custom Field Change", txn, ticket, "Impact")


def test_every_issue_condition_is_registered():
    assert {
        "On Create",
        "On Transaction",
        "On Correspond",
        "On Comment",
        "On Status Change",
        "On Resolve",
        "On Reopen",
        "On Owner Change",
        "On Priority Change",
        "On Queue Change",
        "On Custom Field Change",
    } <= set(CONDITIONS)


def _depends(parent, child):
    services.add_link(ticket=parent, kind="DependsOn", other=child, actor=system_user())


def test_on_close_of_dependencies_names_the_parent_when_its_last_dependency_closes(
    queue,
):
    parent = make_ticket(queue=queue)
    first, second = make_ticket(queue=queue), make_ticket(queue=queue)
    _depends(parent, first)
    _depends(parent, second)
    condition = get_condition("On Close of Dependencies")
    closing_first = _status(first, "resolved")
    assert not condition.is_applicable(closing_first, first, "")
    closing_second = _status(second, "resolved")
    assert condition.is_applicable(closing_second, second, "")
    assert condition.targets(closing_second, second, "") == [parent]


def test_on_close_of_dependencies_with_any_names_each_dependent(queue):
    parent = make_ticket(queue=queue)
    first, second = make_ticket(queue=queue), make_ticket(queue=queue)
    _depends(parent, first)
    _depends(parent, second)
    closing = _status(first, "resolved")
    condition = get_condition("On Close of Dependencies")
    assert condition.is_applicable(closing, first, "any")
    assert condition.targets(closing, first, "any") == [parent]


def test_on_close_of_dependencies_ignores_tickets_nobody_depends_on(ticket):
    assert not _applies("On Close of Dependencies", _status(ticket, "resolved"), ticket)


def test_on_close_of_dependencies_runs_the_action_on_the_dependent_ticket(
    queue, django_capture_on_commit_callbacks
):
    from tests.scrips.conftest import make_scrip

    make_scrip("On Close of Dependencies", "Open Tickets", "Blank")
    parent = make_ticket(queue=queue)
    child = make_ticket(queue=queue)
    _depends(parent, child)
    with django_capture_on_commit_callbacks(execute=True):
        _status(child, "resolved")
    parent.refresh_from_db()
    assert parent.status == "open"


def test_require_due_sla_matches_messages_and_reopenings_not_priority(ticket):
    assert _applies("Require Due Set According to SLA", _create_txn(ticket), ticket)
    [priority] = services.set_fields(ticket=ticket, actor=system_user(), priority=5)
    assert not _applies("Require Due Set According to SLA", priority, ticket)
    _status(ticket, "resolved")
    assert _applies("Require Due Set According to SLA", _status(ticket, "open"), ticket)


def test_on_close_of_dependencies_is_registered():
    assert "On Close of Dependencies" in CONDITIONS
