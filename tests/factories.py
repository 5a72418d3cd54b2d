"""Typed helpers that build test data through the services, as real callers do."""

from __future__ import annotations

import itertools
from typing import Any

from lifecycles.models import Lifecycle
from queues.models import Queue
from tracker import services
from tracker.models import ACE, Group, GroupDomain, GroupMember, Ticket, User
from tracker.principals import system_user

_seq = itertools.count(1)


def make_user(*, privileged: bool = False, **fields: Any) -> User:
    n = next(_seq)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("email", f"user{n}@example.org")
    return User.objects.create_user(is_privileged=privileged, **fields)


def make_staff(**fields: Any) -> User:
    return make_user(privileged=True, **fields)


def make_admin(**fields: Any) -> User:
    n = next(_seq)
    fields.setdefault("username", f"admin{n}")
    fields.setdefault("email", f"admin{n}@example.org")
    return User.objects.create_superuser(password="pw", **fields)


def make_group(name: str | None = None, *members: User | Group) -> Group:
    group = Group.objects.create(
        name=name or f"group{next(_seq)}", domain=GroupDomain.USER_DEFINED
    )
    for member in members:
        if isinstance(member, Group):
            GroupMember.objects.create(group=group, member_group=member)
        else:
            GroupMember.objects.create(group=group, user=member)
    return group


def make_queue(
    name: str | None = None, *, lifecycle: str = "default", **fields: Any
) -> Queue:
    return Queue.objects.create(
        name=name or f"queue{next(_seq)}",
        lifecycle=Lifecycle.objects.get(name=lifecycle),
        **fields,
    )


def grant(
    right: str,
    *,
    user: User | None = None,
    group: Group | None = None,
    role: str = "",
    queue: Queue | None = None,
) -> ACE:
    """Grant through the service, acting as the system."""
    return services.grant_right(
        right=right, actor=system_user(), user=user, group=group, role=role, queue=queue
    )


def grant_many(rights: list[str], **principal: Any) -> None:
    for right in rights:
        grant(right, **principal)


STAFF_RIGHTS = [
    "SeeQueue",
    "ShowTicket",
    "CreateTicket",
    "ReplyToTicket",
    "CommentOnTicket",
    "ShowTicketComments",
    "OwnTicket",
    "TakeTicket",
    "ModifyTicket",
]


def make_ticket(
    *, queue: Queue | None = None, actor: User | None = None, **overrides: Any
) -> Ticket:
    """A ticket created by the system (which holds every right) unless an actor is given."""
    queue = queue or Queue.objects.get(name="General")
    overrides.setdefault("subject", f"Ticket {next(_seq)}")
    overrides.setdefault("body", "Something is broken.")
    return services.create_ticket(
        queue=queue, actor=actor or system_user(), **overrides
    )
