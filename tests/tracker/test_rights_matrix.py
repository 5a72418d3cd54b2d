"""Who holds which right where: each kind of principal, global and per-queue grants,
and the SQL filter `visible_tickets` agreeing with `has_right` (rt-semantics 5.1)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from queues.models import Queue
from tests.factories import (
    grant,
    make_admin,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import services
from tracker.models import Group, GroupDomain, SystemGroup, Ticket
from tracker.principals import nobody, system_user
from tracker.queries import visible_tickets
from tracker.rights import has_right

pytestmark = pytest.mark.django_db


def system_group(name: str) -> Group:
    return Group.objects.get(domain=GroupDomain.SYSTEM, name=name)


@pytest.fixture
def queue_a():
    return make_queue("Alpha")


@pytest.fixture
def queue_b():
    return make_queue("Beta")


@pytest.fixture
def ticket_a(queue_a):
    return make_ticket(queue=queue_a)


@pytest.fixture
def ticket_b(queue_b):
    return make_ticket(queue=queue_b)


# --- Users and user-defined groups ------------------------------------------------------


def test_user_grant_on_a_queue_applies_to_its_tickets(queue_a, ticket_a):
    user = make_staff()
    grant("ShowTicket", user=user, queue=queue_a)

    assert has_right(user, "ShowTicket", ticket_a)
    assert has_right(user, "ShowTicket", queue_a)


def test_user_without_a_grant_has_no_right(queue_a, ticket_a):
    granted, other = make_staff(), make_staff()
    grant("ShowTicket", user=granted, queue=queue_a)

    assert not has_right(other, "ShowTicket", ticket_a)
    assert not has_right(other, "ShowTicket", queue_a)


def test_grant_covers_only_the_right_granted(queue_a, ticket_a):
    user = make_staff()
    grant("ShowTicket", user=user, queue=queue_a)

    assert not has_right(user, "ModifyTicket", ticket_a)


def test_grant_on_queue_a_does_not_apply_in_queue_b(queue_a, ticket_b, queue_b):
    user = make_staff()
    grant("ModifyTicket", user=user, queue=queue_a)

    assert not has_right(user, "ModifyTicket", ticket_b)
    assert not has_right(user, "ModifyTicket", queue_b)


def test_global_grant_applies_in_every_queue(ticket_a, ticket_b, queue_b):
    user = make_staff()
    grant("ModifyTicket", user=user)

    assert has_right(user, "ModifyTicket", ticket_a)
    assert has_right(user, "ModifyTicket", ticket_b)
    assert has_right(user, "ModifyTicket", queue_b)
    assert has_right(user, "ModifyTicket", make_queue("Created later"))


def test_queue_grant_does_not_give_the_right_system_wide(queue_a):
    user = make_staff()
    grant("ShowTicket", user=user, queue=queue_a)

    assert not has_right(user, "ShowTicket", None)


def test_user_defined_group_grant_applies_to_its_members(queue_a, ticket_a):
    member, outsider = make_staff(), make_staff()
    grant("ShowTicket", group=make_group("Helpdesk", member), queue=queue_a)

    assert has_right(member, "ShowTicket", ticket_a)
    assert not has_right(outsider, "ShowTicket", ticket_a)


def test_nested_group_grant_applies_to_members_of_the_inner_group(queue_a, ticket_a):
    member = make_staff()
    inner = make_group("Night shift", member)
    middle = make_group("NOC", inner)
    grant("ShowTicket", group=make_group("Operations", middle), queue=queue_a)

    assert has_right(member, "ShowTicket", ticket_a)


def test_inner_group_grant_does_not_apply_to_the_outer_group(queue_a, ticket_a):
    outer_member = make_staff()
    inner = make_group("Night shift")
    make_group("NOC", inner, outer_member)
    grant("ShowTicket", group=inner, queue=queue_a)

    assert not has_right(outer_member, "ShowTicket", ticket_a)


def test_disabled_group_gives_nothing(queue_a, ticket_a):
    member = make_staff()
    group = make_group("Former team", member)
    grant("ShowTicket", group=group, queue=queue_a)
    group.is_active = False
    group.save()

    assert not has_right(member, "ShowTicket", ticket_a)


def test_disabled_inner_group_does_not_pass_on_the_outer_group_rights(
    queue_a, ticket_a
):
    member = make_staff()
    inner = make_group("Former team", member)
    outer = make_group("Operations", inner)
    grant("ShowTicket", group=outer, queue=queue_a)
    inner.is_active = False
    inner.save()

    assert not has_right(member, "ShowTicket", ticket_a)


# --- System groups ----------------------------------------------------------------------


def test_everyone_grant_applies_to_privileged_and_unprivileged_users(queue_a, ticket_a):
    grant("SeeQueue", group=system_group(SystemGroup.EVERYONE), queue=queue_a)

    assert has_right(make_staff(), "SeeQueue", queue_a)
    assert has_right(make_user(), "SeeQueue", queue_a)


def test_privileged_grant_applies_to_privileged_users_only(queue_a, ticket_a):
    grant("ShowTicket", group=system_group(SystemGroup.PRIVILEGED), queue=queue_a)

    assert has_right(make_staff(), "ShowTicket", ticket_a)
    assert not has_right(make_user(), "ShowTicket", ticket_a)


def test_unprivileged_grant_applies_to_unprivileged_users_only(queue_a, ticket_a):
    grant("ShowTicket", group=system_group(SystemGroup.UNPRIVILEGED), queue=queue_a)

    assert has_right(make_user(), "ShowTicket", ticket_a)
    assert not has_right(make_staff(), "ShowTicket", ticket_a)


# --- Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "create_kwarg"),
    [("Requestor", "requestors"), ("Cc", "cc"), ("AdminCc", "admin_cc")],
)
def test_ticket_role_grant_applies_to_holders_of_that_role_only(
    queue_a, role, create_kwarg
):
    holder, bystander = make_user(), make_user()
    grant("CommentOnTicket", role=role, queue=queue_a)
    held = make_ticket(queue=queue_a, **{create_kwarg: [holder]})
    other = make_ticket(queue=queue_a, **{create_kwarg: [bystander]})

    assert has_right(holder, "CommentOnTicket", held)
    assert not has_right(holder, "CommentOnTicket", other)
    assert not has_right(bystander, "CommentOnTicket", held)


def test_owner_role_grant_applies_to_the_owner_only(queue_a):
    owner, other = make_staff(), make_staff()
    grant("OwnTicket", user=owner, queue=queue_a)
    grant("CommentOnTicket", role="Owner", queue=queue_a)
    owned = make_ticket(queue=queue_a, owner=owner)
    unowned = make_ticket(queue=queue_a)

    assert has_right(owner, "CommentOnTicket", owned)
    assert not has_right(owner, "CommentOnTicket", unowned)
    assert not has_right(other, "CommentOnTicket", owned)


def test_requestor_role_grant_gives_nothing_on_the_queue_itself(queue_a):
    requestor = make_user()
    grant("SeeQueue", role="Requestor", queue=queue_a)
    make_ticket(queue=queue_a, requestors=[requestor])

    assert not has_right(requestor, "SeeQueue", queue_a)


def test_group_holding_a_ticket_role_passes_the_role_rights_to_members(queue_a):
    member, outsider = make_user(), make_user()
    grant("CommentOnTicket", role="Cc", queue=queue_a)
    ticket = make_ticket(queue=queue_a, cc=[make_group("Customer team", member)])

    assert has_right(member, "CommentOnTicket", ticket)
    assert not has_right(outsider, "CommentOnTicket", ticket)


@pytest.mark.parametrize("role", ["Cc", "AdminCc"])
def test_queue_watcher_gets_rights_granted_to_that_role_on_every_ticket(
    queue_a, ticket_a, role
):
    watcher = make_staff()
    services.add_queue_watcher(
        queue=queue_a, role=role, principal=watcher, actor=system_user()
    )
    grant("ShowTicket", role=role, queue=queue_a)

    assert has_right(watcher, "ShowTicket", ticket_a)
    assert has_right(watcher, "ShowTicket", make_ticket(queue=queue_a))
    assert has_right(watcher, "ShowTicket", queue_a)


def test_queue_watcher_gets_nothing_in_other_queues(queue_a, queue_b, ticket_b):
    watcher = make_staff()
    services.add_queue_watcher(
        queue=queue_a, role="AdminCc", principal=watcher, actor=system_user()
    )
    grant("ShowTicket", role="AdminCc")

    assert not has_right(watcher, "ShowTicket", ticket_b)


def test_queue_watcher_does_not_get_rights_of_the_other_watcher_role(queue_a, ticket_a):
    watcher = make_staff()
    services.add_queue_watcher(
        queue=queue_a, role="Cc", principal=watcher, actor=system_user()
    )
    grant("ShowTicketComments", role="AdminCc", queue=queue_a)

    assert not has_right(watcher, "ShowTicketComments", ticket_a)


def test_role_grant_on_queue_a_does_not_apply_in_queue_b(queue_a, queue_b):
    requestor = make_user()
    grant("CommentOnTicket", role="Requestor", queue=queue_a)
    in_b = make_ticket(queue=queue_b, requestors=[requestor])

    assert not has_right(requestor, "CommentOnTicket", in_b)


def test_global_role_grant_applies_in_every_queue(queue_a, queue_b):
    requestor = make_user()
    grant("CommentOnTicket", role="Requestor")

    assert has_right(
        requestor, "CommentOnTicket", make_ticket(queue=queue_a, requestors=[requestor])
    )
    assert has_right(
        requestor, "CommentOnTicket", make_ticket(queue=queue_b, requestors=[requestor])
    )


# --- Super powers and disabled users ----------------------------------------------------


def test_superuser_grant_implies_every_right(ticket_a, queue_b):
    root = make_staff()
    grant("SuperUser", user=root)

    assert has_right(root, "DeleteTicket", ticket_a)
    assert has_right(root, "AdminQueue", queue_b)
    assert has_right(root, "AdminUsers", None)
    assert has_right(root, "DeclareIncident", ticket_a)


def test_superuser_granted_to_a_group_implies_every_right_for_members(ticket_a):
    member = make_staff()
    grant("SuperUser", group=make_group("Admins", member))

    assert has_right(member, "ModifyTicket", ticket_a)


def test_disabled_user_has_no_rights(queue_a):
    user = make_staff(is_active=False)
    grant("ShowTicket", user=user, queue=queue_a)
    grant("SuperUser", user=user)
    grant("ShowTicket", group=system_group(SystemGroup.EVERYONE))
    ticket = make_ticket(queue=queue_a, requestors=[user])

    assert not has_right(user, "ShowTicket", ticket)
    assert not has_right(user, "ShowTicket", queue_a)
    assert not has_right(user, "AdminUsers", None)


def test_rt_system_bypasses_every_check(ticket_a, queue_a):
    assert has_right(system_user(), "DeleteTicket", ticket_a)
    assert has_right(system_user(), "AdminQueue", queue_a)
    assert has_right(system_user(), "AdminUsers", None)


def test_nobody_holds_no_rights_of_its_own(ticket_a):
    assert not has_right(nobody(), "ShowTicket", ticket_a)


def test_django_superuser_holds_every_right(ticket_a, queue_a):
    admin = make_admin()

    assert has_right(admin, "DeleteTicket", ticket_a)
    assert has_right(admin, "ModifyACL", queue_a)
    assert has_right(admin, "AdminUsers", None)


def test_disabled_django_superuser_holds_nothing(ticket_a):
    admin = make_admin(is_active=False)

    assert not has_right(admin, "ShowTicket", ticket_a)


def test_anonymous_user_holds_nothing(ticket_a):
    grant("ShowTicket", group=system_group(SystemGroup.EVERYONE))

    assert not has_right(AnonymousUser(), "ShowTicket", ticket_a)
    assert not has_right(None, "ShowTicket", ticket_a)


# --- The auth backend -------------------------------------------------------------------


def test_has_perm_answers_through_the_rights_backend(queue_a, ticket_a, ticket_b):
    user = make_staff()
    grant("ShowTicket", user=user, queue=queue_a)

    assert user.has_perm("ShowTicket", ticket_a)
    assert not user.has_perm("ShowTicket", ticket_b)
    assert not user.has_perm("ModifyTicket", ticket_a)


def test_has_perm_ignores_names_that_are_not_rights(queue_a, ticket_a):
    user = make_staff()
    grant("ShowTicket", user=user)

    assert not user.has_perm("NoSuchRight", ticket_a)
    assert not user.has_perm("tracker.view_ticket", ticket_a)


# --- The default data -------------------------------------------------------------------


def test_default_data_lets_everyone_create_tickets_in_general():
    general = Queue.objects.get(name="General")
    customer = make_user()

    ticket = services.create_ticket(
        queue=general, actor=customer, subject="Printer jam", requestors=[customer]
    )

    assert ticket.creator == customer


def test_default_data_gives_no_create_right_in_other_queues(queue_a):
    assert not has_right(make_user(), "CreateTicket", queue_a)
    assert not has_right(make_staff(), "CreateTicket", queue_a)


def test_default_data_lets_requestors_see_their_own_tickets_only():
    general = Queue.objects.get(name="General")
    alice, bob = make_user(), make_user()
    mine = services.create_ticket(
        queue=general, actor=alice, subject="Mine", requestors=[alice]
    )
    theirs = services.create_ticket(
        queue=general, actor=bob, subject="Theirs", requestors=[bob]
    )

    assert has_right(alice, "ShowTicket", mine)
    assert not has_right(alice, "ShowTicket", theirs)
    assert list(visible_tickets(alice)) == [mine]


def test_default_data_lets_requestors_reply_but_not_modify():
    general = Queue.objects.get(name="General")
    alice = make_user()
    mine = services.create_ticket(
        queue=general, actor=alice, subject="Mine", requestors=[alice]
    )

    assert has_right(alice, "ReplyToTicket", mine)
    assert not has_right(alice, "ModifyTicket", mine)
    assert not has_right(alice, "ShowTicketComments", mine)


# --- visible_tickets agrees with has_right ----------------------------------------------


@pytest.fixture
def world():
    """Users reaching tickets in every way there is, and tickets in three queues."""
    a, b, c = make_queue("A"), make_queue("B"), make_queue("C")
    users = {
        "queue_a_staff": make_staff(),
        "global_group_member": make_staff(),
        "nested_member": make_staff(),
        "requestor": make_user(),
        "cc_group_member": make_user(),
        "queue_admincc": make_staff(),
        "owner": make_staff(),
        "disabled": make_staff(is_active=False),
        "plain_customer": make_user(),
        "plain_staff": make_staff(),
        "superuser": make_staff(),
        "django_superuser": make_admin(),
        "queue_cc_group_member": make_user(),
    }
    grant("ShowTicket", user=users["queue_a_staff"], queue=a)
    grant("ShowTicket", user=users["disabled"], queue=a)
    grant("ShowTicket", group=make_group("Everything", users["global_group_member"]))
    inner = make_group("Inner", users["nested_member"])
    grant("ShowTicket", group=make_group("Outer", inner), queue=b)
    grant("ShowTicket", role="Cc", queue=b)
    grant("ShowTicket", role="AdminCc", queue=b)
    services.add_queue_watcher(
        queue=b, role="AdminCc", principal=users["queue_admincc"], actor=system_user()
    )
    services.add_queue_watcher(
        queue=b,
        role="Cc",
        principal=make_group("Watchers", users["queue_cc_group_member"]),
        actor=system_user(),
    )
    grant("OwnTicket", user=users["owner"], queue=a)
    grant("ShowTicket", role="Owner", queue=a)
    grant("ShowTicket", group=system_group(SystemGroup.PRIVILEGED), queue=c)
    grant("SuperUser", user=users["superuser"])

    tickets = [
        make_ticket(queue=a, requestors=[users["requestor"]]),
        make_ticket(queue=a, owner=users["owner"]),
        make_ticket(queue=a),
        make_ticket(queue=b, cc=[make_group("Customers", users["cc_group_member"])]),
        make_ticket(queue=b, requestors=[users["requestor"], users["disabled"]]),
        make_ticket(queue=c),
        make_ticket(queue=c, requestors=[users["plain_customer"]], cc=[users["owner"]]),
        make_ticket(queue=b, cc=[system_group(SystemGroup.EVERYONE)]),
    ]
    return users, tickets


@pytest.mark.parametrize(
    "who",
    [
        "queue_a_staff",
        "global_group_member",
        "nested_member",
        "requestor",
        "cc_group_member",
        "queue_admincc",
        "owner",
        "disabled",
        "plain_customer",
        "plain_staff",
        "superuser",
        "django_superuser",
        "queue_cc_group_member",
    ],
)
def test_visible_tickets_agrees_with_has_right(world, who):
    users, tickets = world
    user = users[who]

    expected = {t.pk for t in Ticket.objects.all() if has_right(user, "ShowTicket", t)}
    visible = set(visible_tickets(user).values_list("pk", flat=True))

    assert visible == expected
    assert expected <= {t.pk for t in tickets}


def test_world_fixture_mixes_visible_and_hidden_tickets(world):
    users, tickets = world
    pks = {t.pk for t in tickets}

    seen = {
        who: set(visible_tickets(user).values_list("pk", flat=True)) & pks
        for who, user in users.items()
    }

    def numbers(*indexes):
        return {tickets[i].pk for i in indexes}

    assert seen["superuser"] == pks
    assert seen["disabled"] == set()
    assert seen["plain_customer"] == numbers(6, 7)
    assert seen["requestor"] == numbers(0, 4, 7)
    assert seen["owner"] == numbers(1, 5, 6, 7)
    assert seen["queue_admincc"] == numbers(3, 4, 5, 6, 7)
    assert seen["queue_cc_group_member"] == numbers(3, 4, 7)
    assert seen["nested_member"] == numbers(3, 4, 5, 6, 7)
