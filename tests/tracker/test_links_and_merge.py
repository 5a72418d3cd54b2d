"""Links between tickets, dependencies blocking resolution, and merging."""

from __future__ import annotations

import pytest

from tests.factories import (
    grant,
    grant_many,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import queries, services
from tracker.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tracker.models import Link, Ticket, TicketWatcher, Transaction
from tracker.principals import system_user

pytestmark = pytest.mark.django_db

# name used from one end -> (stored type, the name seen from the other end, reversed?)
KINDS = {
    "DependsOn": ("DependsOn", "DependedOnBy", False),
    "DependedOnBy": ("DependsOn", "DependsOn", True),
    "MemberOf": ("MemberOf", "HasMember", False),
    "HasMember": ("MemberOf", "MemberOf", True),
    "RefersTo": ("RefersTo", "ReferredToBy", False),
    "ReferredToBy": ("RefersTo", "RefersTo", True),
}


@pytest.fixture
def queue():
    return make_queue("Helpdesk")


@pytest.fixture
def staff(queue):
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=user, queue=queue)
    return user


@pytest.fixture
def a(queue):
    return make_ticket(queue=queue, subject="A")


@pytest.fixture
def b(queue):
    return make_ticket(queue=queue, subject="B")


def link_rows(*tickets: Ticket) -> set[tuple]:
    ids = [t.pk for t in tickets]
    return set(
        Link.objects.filter(base_id__in=ids).values_list("type", "base_id", "target_id")
    )


def last_txn(ticket: Ticket) -> Transaction:
    return Transaction.objects.filter(ticket=ticket).order_by("-id").first()


# --- Adding and removing links ----------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_add_link_stores_one_link_in_its_canonical_direction(a, b, staff, kind):
    stored, _, reverse = KINDS[kind]

    services.add_link(ticket=a, kind=kind, other=b, actor=staff)

    base, target = (b, a) if reverse else (a, b)
    assert link_rows(a, b) == {(stored, base.pk, target.pk)}


@pytest.mark.parametrize("kind", list(KINDS))
def test_add_link_names_the_link_from_each_end(a, b, staff, kind):
    _, far_name, _ = KINDS[kind]

    services.add_link(ticket=a, kind=kind, other=b, actor=staff)

    mine, theirs = last_txn(a), last_txn(b)
    assert (mine.type, mine.field, mine.new_value) == ("AddLink", kind, str(b.pk))
    assert (theirs.type, theirs.field, theirs.new_value) == (
        "AddLink",
        far_name,
        str(a.pk),
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_remove_link_deletes_it_and_names_it_from_each_end(a, b, staff, kind):
    _, far_name, _ = KINDS[kind]
    services.add_link(ticket=a, kind=kind, other=b, actor=staff)

    services.remove_link(ticket=a, kind=kind, other=b, actor=staff)

    assert link_rows(a, b) == set()
    mine, theirs = last_txn(a), last_txn(b)
    assert (mine.type, mine.field, mine.old_value) == ("DeleteLink", kind, str(b.pk))
    assert (theirs.type, theirs.field, theirs.old_value) == (
        "DeleteLink",
        far_name,
        str(a.pk),
    )


def test_link_added_from_one_end_can_be_removed_from_the_other(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    services.remove_link(ticket=b, kind="DependedOnBy", other=a, actor=staff)

    assert link_rows(a, b) == set()


def test_link_kind_is_case_insensitive(a, b, staff):
    services.add_link(ticket=a, kind="refersto", other=b.pk, actor=staff)

    assert link_rows(a, b) == {("RefersTo", a.pk, b.pk)}


def test_link_to_an_outside_uri_is_recorded_on_the_local_end_only(a, staff):
    uri = "https://wiki.example.org/runbooks/vpn"

    services.add_link(ticket=a, kind="RefersTo", other=uri, actor=staff)

    link = Link.objects.get(base=a)
    assert (link.target_id, link.target_uri) == (None, uri)
    assert (last_txn(a).field, last_txn(a).new_value) == ("RefersTo", uri)


def test_link_to_an_outside_uri_can_be_removed(a, staff):
    uri = "https://wiki.example.org/runbooks/vpn"
    services.add_link(ticket=a, kind="RefersTo", other=uri, actor=staff)

    services.remove_link(ticket=a, kind="RefersTo", other=uri, actor=staff)

    assert not Link.objects.filter(base=a).exists()
    assert (last_txn(a).type, last_txn(a).old_value) == ("DeleteLink", uri)


@pytest.mark.parametrize("service", [services.add_link, services.remove_link])
def test_reverse_link_from_an_outside_uri_is_refused(a, staff, service):
    with pytest.raises(ValidationFailed) as excinfo:
        service(
            ticket=a, kind="ReferredToBy", other="https://example.org/x", actor=staff
        )

    assert excinfo.value.message == (
        "Only a local ticket can be on the far side of a reverse link."
    )


def test_unknown_link_kind_is_refused(a, b, staff):
    with pytest.raises(ValidationFailed) as excinfo:
        services.add_link(ticket=a, kind="Blocks", other=b, actor=staff)

    assert excinfo.value.message.startswith("'Blocks' is not a link type")


def test_self_link_is_refused(a, staff):
    with pytest.raises(ValidationFailed) as excinfo:
        services.add_link(ticket=a, kind="RefersTo", other=a, actor=staff)

    assert excinfo.value.message == "A ticket cannot be linked to itself."
    assert link_rows(a) == set()


def test_duplicate_link_is_refused(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    with pytest.raises(ValidationFailed) as excinfo:
        services.add_link(ticket=b, kind="DependedOnBy", other=a, actor=staff)

    assert excinfo.value.message == "That link already exists."
    assert Transaction.objects.filter(ticket=a, type="AddLink").count() == 1


def test_link_to_a_missing_ticket_is_refused(a, staff):
    with pytest.raises(NotFound):
        services.add_link(ticket=a, kind="DependsOn", other=999999, actor=staff)


def test_removing_a_missing_link_is_refused(a, b, staff):
    with pytest.raises(NotFound) as excinfo:
        services.remove_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    assert excinfo.value.message == "There is no such link."


@pytest.mark.parametrize("modify_on", ["near", "far"])
def test_link_needs_modify_ticket_on_both_ends(queue, a, modify_on):
    far = make_ticket(queue=make_queue("Network"))
    user = make_staff()
    grant("ShowTicket", user=user, queue=far.queue)
    grant("ModifyTicket", user=user, queue=queue if modify_on == "near" else far.queue)

    with pytest.raises(PermissionDenied) as excinfo:
        services.add_link(ticket=a, kind="DependsOn", other=far, actor=user)

    assert "ModifyTicket" in excinfo.value.message
    assert link_rows(a, far) == set()


def test_link_across_queues_with_modify_ticket_on_both(queue, a, staff):
    far = make_ticket(queue=make_queue("Network"))
    grant_many(["ShowTicket", "ModifyTicket"], user=staff, queue=far.queue)

    services.add_link(ticket=a, kind="DependsOn", other=far, actor=staff)

    assert link_rows(a) == {("DependsOn", a.pk, far.pk)}


# --- Dependencies -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["resolved", "rejected"])
def test_ticket_with_an_unresolved_dependency_cannot_be_closed(a, b, staff, status):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    with pytest.raises(InvalidTransition) as excinfo:
        services.set_status(ticket=a, status=status, actor=staff)

    assert excinfo.value.message == (
        f"That ticket has unresolved dependencies (#{b.pk})."
    )
    assert Ticket.objects.get(pk=a.pk).status == "new"


def test_ticket_can_be_resolved_once_its_dependency_is(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)
    services.set_status(ticket=b, status="resolved", actor=staff)

    services.set_status(ticket=a, status="resolved", actor=staff)

    assert Ticket.objects.get(pk=a.pk).status == "resolved"


def test_force_resolves_despite_unresolved_dependencies(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    services.set_status(ticket=a, status="resolved", actor=staff, force=True)

    assert Ticket.objects.get(pk=a.pk).status == "resolved"


def test_the_dependency_itself_may_be_resolved_first(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    services.set_status(ticket=b, status="resolved", actor=staff)

    assert Ticket.objects.get(pk=b.pk).status == "resolved"


def test_other_link_kinds_do_not_block_resolution(a, b, staff):
    services.add_link(ticket=a, kind="RefersTo", other=b, actor=staff)
    services.add_link(ticket=a, kind="MemberOf", other=b, actor=staff)

    services.set_status(ticket=a, status="resolved", actor=staff)

    assert Ticket.objects.get(pk=a.pk).status == "resolved"


def test_active_moves_are_not_blocked_by_dependencies(a, b, staff):
    services.add_link(ticket=a, kind="DependsOn", other=b, actor=staff)

    services.set_status(ticket=a, status="stalled", actor=staff)

    assert Ticket.objects.get(pk=a.pk).status == "stalled"


# --- Merge ------------------------------------------------------------------------------


def test_merged_number_resolves_to_the_survivor(a, b, staff):
    services.merge_tickets(source=a, target=b, actor=staff)

    assert queries.get_ticket_for(staff, a.pk) == b
    assert Ticket.objects.get(pk=a.pk).effective_id == b.pk


def test_merge_moves_watchers_to_the_survivor(a, b, staff):
    requestor, cc = make_user(), make_user()
    services.add_watcher(ticket=a, role="Requestor", principal=requestor, actor=staff)
    services.add_watcher(ticket=a, role="Cc", principal=cc, actor=staff)
    services.add_watcher(ticket=b, role="Cc", principal=cc, actor=staff)

    services.merge_tickets(source=a, target=b, actor=staff)

    assert set(
        TicketWatcher.objects.filter(ticket=b).values_list("role", "user_id")
    ) == {("Requestor", requestor.pk), ("Cc", cc.pk)}


def test_merge_moves_links_to_the_survivor(queue, a, b, staff):
    c, d = make_ticket(queue=queue), make_ticket(queue=queue)
    services.add_link(ticket=a, kind="DependsOn", other=c, actor=staff)
    services.add_link(ticket=d, kind="RefersTo", other=a, actor=staff)

    services.merge_tickets(source=a, target=b, actor=staff)

    assert link_rows(b, d) == {("DependsOn", b.pk, c.pk), ("RefersTo", d.pk, b.pk)}


def test_merge_drops_a_link_between_the_two_tickets(a, b, staff):
    services.add_link(ticket=a, kind="RefersTo", other=b, actor=staff)

    services.merge_tickets(source=a, target=b, actor=staff)

    assert link_rows(b) == set()
    assert link_rows(a) == {("MergedInto", a.pk, b.pk)}


def test_merge_adds_up_time_worked(a, b, staff):
    services.set_fields(ticket=a, actor=staff, time_worked=30)
    services.set_fields(ticket=b, actor=staff, time_worked=15)

    services.merge_tickets(source=a, target=b, actor=staff)

    assert Ticket.objects.get(pk=b.pk).time_worked == 45


def test_merge_records_merged_into_on_both_tickets(a, b, staff):
    services.merge_tickets(source=a, target=b, actor=staff)

    source_txn, target_txn = last_txn(a), last_txn(b)
    assert (source_txn.type, source_txn.field, source_txn.new_value) == (
        "AddLink",
        "MergedInto",
        str(b.pk),
    )
    assert (target_txn.type, target_txn.field, target_txn.old_value) == (
        "AddLink",
        "MergedInto",
        str(a.pk),
    )


def test_ticket_merged_into_the_source_follows_to_the_new_survivor(queue, a, b, staff):
    earlier = make_ticket(queue=queue)
    services.merge_tickets(source=earlier, target=a, actor=staff)

    services.merge_tickets(source=a, target=b, actor=staff)

    assert Ticket.objects.get(pk=earlier.pk).merged_into_id == b.pk
    assert queries.get_ticket_for(staff, earlier.pk) == b


def test_merging_into_a_merged_number_merges_into_its_survivor(queue, a, b, staff):
    c = make_ticket(queue=queue)
    services.merge_tickets(source=b, target=c, actor=staff)

    survivor = services.merge_tickets(source=a, target=b.pk, actor=staff)

    assert survivor == c
    assert Ticket.objects.get(pk=a.pk).merged_into_id == c.pk


def test_requestor_of_the_merged_ticket_follows_its_number_to_the_survivor(
    queue, b, staff
):
    customer = make_user()
    duplicate = make_ticket(queue=queue, requestors=[customer])

    services.merge_tickets(source=duplicate, target=b, actor=staff)

    assert queries.get_ticket_for(customer, duplicate.pk) == b
    assert list(queries.visible_tickets(customer)) == [b]


def test_merged_tickets_disappear_from_visible_tickets(a, b, staff):
    services.merge_tickets(source=a, target=b, actor=staff)

    visible = set(queries.visible_tickets(staff).values_list("pk", flat=True))
    assert b.pk in visible
    assert a.pk not in visible


def test_survivor_history_includes_the_merged_ticket_transactions(a, b, staff):
    services.correspond(ticket=a, actor=staff, body="Reply on the duplicate")
    merged_ids = set(Transaction.objects.filter(ticket=a).values_list("pk", flat=True))

    services.merge_tickets(source=a, target=b, actor=staff)

    shown = [t.pk for t in queries.ticket_history(b, staff)]
    assert merged_ids <= set(shown)
    assert shown == sorted(shown)


def test_merge_into_itself_is_refused(a, staff):
    with pytest.raises(ValidationFailed) as excinfo:
        services.merge_tickets(source=a, target=a, actor=staff)

    assert excinfo.value.message == "A ticket cannot be merged into itself."


def test_merging_an_already_merged_ticket_is_refused(queue, a, b, staff):
    services.merge_tickets(source=a, target=b, actor=staff)

    with pytest.raises(ValidationFailed) as excinfo:
        services.merge_tickets(
            source=Ticket.objects.get(pk=a.pk),
            target=make_ticket(queue=queue),
            actor=staff,
        )

    assert excinfo.value.message == f"Ticket {a.pk} is already merged."


@pytest.mark.parametrize("modify_on", ["source", "target"])
def test_merge_needs_modify_ticket_on_both(queue, a, modify_on):
    other = make_ticket(queue=make_queue("Network"))
    user = make_staff()
    grant("ShowTicket", user=user, queue=other.queue)
    grant(
        "ModifyTicket", user=user, queue=queue if modify_on == "source" else other.queue
    )

    with pytest.raises(PermissionDenied):
        services.merge_tickets(source=a, target=other, actor=user)

    assert Ticket.objects.get(pk=a.pk).merged_into_id is None


def test_system_may_merge_across_queues(a):
    other = make_ticket(queue=make_queue("Network"))

    services.merge_tickets(source=a, target=other, actor=system_user())

    assert Ticket.objects.get(pk=a.pk).merged_into_id == other.pk


def test_changing_a_merged_ticket_directly_is_refused():
    source, target = make_ticket(), make_ticket()
    services.merge_tickets(source=source, target=target, actor=system_user())
    stale = Ticket.objects.get(pk=source.pk)
    with pytest.raises(Conflict, match=f"merged into #{target.pk}"):
        services.set_status(ticket=stale, status="open", actor=system_user())


def test_linking_to_a_ticket_you_cannot_see_answers_like_a_missing_one():
    queue = make_queue()
    hidden_queue = make_queue()
    user = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=user, queue=queue)
    mine = make_ticket(queue=queue)
    hidden = make_ticket(queue=hidden_queue)
    with pytest.raises(NotFound) as seen_hidden:
        services.add_link(ticket=mine, kind="DependsOn", other=hidden.pk, actor=user)
    with pytest.raises(NotFound) as seen_missing:
        services.add_link(ticket=mine, kind="DependsOn", other=999_999, actor=user)
    assert str(seen_hidden.value) == str(seen_missing.value).replace(
        "999999", str(hidden.pk)
    )


@pytest.mark.parametrize(
    "uri", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"]
)
def test_link_to_a_dangerous_uri_is_refused(a, staff, uri):
    with pytest.raises(ValidationFailed):
        services.add_link(ticket=a, kind="RefersTo", other=uri, actor=staff)
    assert link_rows(a) == set()


def test_link_to_a_web_page_is_kept(a, staff):
    services.add_link(
        ticket=a, kind="RefersTo", other="https://example.org/kb/1", actor=staff
    )
    assert Link.objects.get(base=a).target_uri == "https://example.org/kb/1"
