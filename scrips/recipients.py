"""Who gets a notification, placed as RT does: Requestors in To, Ccs in Cc (To when there is
no To), the Owner in Bcc when there is a To, AdminCcs in Bcc. Queue Ccs and AdminCcs join
the ticket's; groups are expanded recursively; the actor, disabled users and the
tracker's own addresses are dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from queues.models import Queue
from tracker.mail import sanitize_header_value
from tracker.models import (
    GroupMember,
    QueueWatcher,
    Role,
    Ticket,
    TicketWatcher,
    User,
)


@dataclass
class Recipients:
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to or self.cc or self.bcc)

    def all(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


def own_addresses() -> set[str]:
    """Addresses the tracker receives mail on: never mail them (a loop)."""
    addresses = set()
    for correspond, comment in Queue.objects.values_list(
        "correspond_address", "comment_address"
    ):
        addresses.update(a.lower() for a in (correspond, comment) if a)
    default = getattr(settings, "DEFAULT_FROM_EMAIL", "")
    if default:
        addresses.add(default.rpartition("<")[2].strip("> ").lower())
    addresses.update(a.lower() for a in getattr(settings, "TRACKER_OWN_ADDRESSES", []))
    return addresses


def _group_users(group_ids: set[int]) -> list[User]:
    """Active users in these groups, through nested groups (cycles are harmless)."""
    seen: set[int] = set()
    pending = set(group_ids)
    user_ids: set[int] = set()
    while pending:
        seen |= pending
        rows = GroupMember.objects.filter(
            group_id__in=pending, group__is_active=True
        ).values_list("user_id", "member_group_id")
        pending = set()
        for user_id, member_group_id in rows:
            if user_id:
                user_ids.add(user_id)
            elif member_group_id and member_group_id not in seen:
                pending.add(member_group_id)
    return list(User.objects.filter(pk__in=user_ids).order_by("id"))


def role_users(ticket: Ticket, role: str) -> list[User]:
    """Users holding `role` on the ticket (queue watchers included for Cc/AdminCc)."""
    if role == Role.OWNER:
        return [] if ticket.owner.is_nobody else [ticket.owner]
    users: list[User] = []
    group_ids: set[int] = set()
    watchers: list[tuple[int | None, int | None]] = list(
        TicketWatcher.objects.filter(ticket=ticket, role=role)
        .order_by("id")
        .values_list("user_id", "group_id")
    )
    if role in (Role.CC, Role.ADMIN_CC):
        watchers += list(
            QueueWatcher.objects.filter(queue_id=ticket.queue_id, role=role)
            .order_by("id")
            .values_list("user_id", "group_id")
        )
    user_ids = [u for u, _ in watchers if u]
    by_id = User.objects.in_bulk(user_ids)
    users = [by_id[u] for u in user_ids if u in by_id]
    group_ids = {g for _, g in watchers if g}
    if group_ids:
        users += _group_users(group_ids)
    return users


def clean_address(value: str) -> str | None:
    """A bare, valid address, or None (typed one-time recipients, template headers)."""
    address = sanitize_header_value(str(value)).strip()
    if "<" in address:
        address = address.rpartition("<")[2].strip("> ")
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


class RecipientFilter:
    """Drops disabled users, users without mail, our own addresses and (unless they
    asked for it) the person who made the change."""

    def __init__(self, *, actor: User | None, notify_actor: bool = False) -> None:
        self.own = own_addresses()
        self.skip: set[str] = set()
        if (
            actor is not None
            and actor.email
            and not (notify_actor or actor.notify_own_actions)
        ):
            self.skip.add(actor.email.lower())
        self.seen: set[str] = set()

    def user(self, user: User) -> str | None:
        if not user.is_active or user.is_system or not user.email:
            return None
        return self.address(user.email)

    def address(self, value: str) -> str | None:
        address = clean_address(value)
        if address is None:
            return None
        key = address.lower()
        if key in self.own or key in self.skip or key in self.seen:
            return None
        self.seen.add(key)
        return address

    def users(self, users: Iterable[User]) -> list[str]:
        return [a for a in (self.user(u) for u in users) if a]

    def addresses(self, values: Iterable[str]) -> list[str]:
        return [a for a in (self.address(v) for v in values) if a]


def role_recipients(
    ticket: Ticket,
    roles: Iterable[str],
    *,
    keep: RecipientFilter,
    extra_cc: Iterable[str] = (),
    extra_bcc: Iterable[str] = (),
) -> Recipients:
    """Place the holders of `roles` (and one-time Cc/Bcc) in To, Cc and Bcc."""
    roles = set(roles)
    result = Recipients()
    if Role.REQUESTOR in roles:
        result.to += keep.users(role_users(ticket, Role.REQUESTOR))
    if Role.CC in roles:
        ccs = keep.users(role_users(ticket, Role.CC))
        if result.to:
            result.cc += ccs
        else:
            result.to += ccs
    if Role.OWNER in roles:
        owner = keep.users(role_users(ticket, Role.OWNER))
        if result.to:
            result.bcc += owner
        else:
            result.to += owner
    if Role.ADMIN_CC in roles:
        result.bcc += keep.users(role_users(ticket, Role.ADMIN_CC))
    result.cc += keep.addresses(extra_cc)
    result.bcc += keep.addresses(extra_bcc)
    return result
