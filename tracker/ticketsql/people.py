"""Conditions on users: Owner/Creator columns and the watcher roles, deep through groups."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from tracker.models import GroupMember, QueueWatcher, Role, TicketWatcher, User
from tracker.ticketsql.common import (
    NULL_OPERATORS,
    ORDER_LOOKUPS,
    ORDER_OPERATORS,
    TEXT_LOOKUPS,
    TEXT_OPERATORS,
    Context,
    check_operator,
    integer,
    is_negative,
    literal,
    looks_like_integer,
    positive,
)
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.nodes import Condition, ValueKind

# field name -> (a queue role rather than a ticket role, the roles)
WATCHER_FIELDS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "requestor": (False, (Role.REQUESTOR,)),
    "requestors": (False, (Role.REQUESTOR,)),
    "cc": (False, (Role.CC,)),
    "admincc": (False, (Role.ADMIN_CC,)),
    "watcher": (False, (Role.REQUESTOR, Role.CC, Role.ADMIN_CC)),
    "queuecc": (True, (Role.CC,)),
    "queueadmincc": (True, (Role.ADMIN_CC,)),
    "queuewatcher": (True, (Role.CC, Role.ADMIN_CC)),
}
USER_COLUMNS = {
    "emailaddress": "email",
    "name": "username",
    "realname": "real_name",
    "id": "pk",
    "organization": "organization",
    "lang": "language",
    "timezone": "time_zone",
}
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "requestorgroup": (Role.REQUESTOR,),
    "ccgroup": (Role.CC,),
    "adminccgroup": (Role.ADMIN_CC,),
    "watchergroup": (Role.REQUESTOR, Role.CC, Role.ADMIN_CC),
}
_USER_COLUMNS_OF_TICKET = {
    "owner": "owner_id",
    "creator": "creator_id",
    "lastupdatedby": "last_updated_by_id",
}
# How deep nested groups are followed. Groups in groups in groups are rare; the bound
# keeps the statement small where a recursive query is not available through the ORM.
GROUP_DEPTH = 4


@dataclass(frozen=True)
class UserMatch:
    q: Q  # over User, always the positive form of the operator
    user_id: int | None  # set when the value names exactly one user by id


def user_match(ctx: Context, condition: Condition, *, default: str) -> UserMatch:
    """Which users the condition's value names, through the key's subfield or `default`."""
    operator = positive(condition.operator)
    text = literal(condition)
    special = text.strip().lower()
    if special == "__currentuser__":
        return UserMatch(Q(pk=ctx.user.pk), ctx.user.pk)
    if special == "__currentusername__":
        text = ctx.user.username
    subfield = condition.key.subfield.lower()
    if subfield:
        field = USER_COLUMNS.get(subfield)
        if field is None:
            raise TicketSQLError(
                f"unknown user field '{condition.key.subfield}'", condition.key.position
            )
    elif default == "name_or_id":
        numeric = looks_like_integer(condition.value) and operator in ORDER_LOOKUPS
        field = "pk" if numeric else "username"
    else:
        field = default
    if field == "pk":
        check_operator(condition, ORDER_OPERATORS)
        number = integer(condition)
        if operator == "=":
            return UserMatch(Q(pk=number), number)
        return UserMatch(Q(**{f"pk__{ORDER_LOOKUPS[operator]}": number}), None)
    return UserMatch(Q(**{f"{field}__{TEXT_LOOKUPS[operator]}": text}), None)


def users(match: UserMatch) -> QuerySet[User] | list[int]:
    if match.user_id is not None:
        return [match.user_id]
    return User.objects.filter(match.q).values("pk")


def group_levels(members: QuerySet[User] | list[int]) -> list[QuerySet]:
    """Ids of the groups holding one of `members`: directly, then one level up, and so on."""
    level = GroupMember.objects.filter(
        user_id__in=members, group__is_active=True
    ).values("group_id")
    levels = [level]
    for _ in range(GROUP_DEPTH - 1):
        level = GroupMember.objects.filter(
            member_group_id__in=level, group__is_active=True
        ).values("group_id")
        levels.append(level)
    return levels


def watcher_condition(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    on_queue, roles = WATCHER_FIELDS[condition.key.field.lower()]
    if condition.operator in NULL_OPERATORS:
        anyone = _holders(on_queue, roles, Q())
        return ~Q(anyone) if condition.operator == "IS" else Q(anyone)
    column = _user_column(condition)
    if column is not None:
        # `Requestor.id = Owner`: compared with the ticket's own user, directly held.
        check_operator(condition, ("=", "!="))
        holders = Q(_holders(on_queue, roles, Q(user_id=OuterRef(column))))
    else:
        members = users(user_match(ctx, condition, default="email"))
        holders = _held_by(on_queue, roles, members, deep=not condition.shallow)
    return ~holders if is_negative(condition.operator) else holders


def _held_by(
    on_queue: bool,
    roles: tuple[str, ...],
    members: QuerySet[User] | list[int],
    *,
    deep: bool,
) -> Q:
    """Tickets (or their queues) where one of `members` holds one of `roles`.

    One UNION of index lookups (the user's rows, then each level of groups) rather than
    an OR inside EXISTS, which the planner can only run as a filter over every ticket.
    """
    model = QueueWatcher if on_queue else TicketWatcher
    rows = model.objects.filter(role__in=roles).order_by()
    column = "queue_id" if on_queue else "ticket_id"
    direct = rows.filter(user_id__in=members).values(column)
    through_groups = [
        rows.filter(group_id__in=level).values(column)
        for level in (group_levels(members) if deep else [])
    ]
    found = direct.union(*through_groups) if through_groups else direct
    return Q(queue_id__in=found) if on_queue else Q(pk__in=found)


def _user_column(condition: Condition) -> str | None:
    if condition.value.kind != ValueKind.BARE:
        return None
    return _USER_COLUMNS_OF_TICKET.get(condition.value.text.lower())


def group_condition(ctx: Context, condition: Condition) -> Q:
    """`RequestorGroup = 'Helpdesk'`: a group holding the role, by the group's name."""
    check_operator(condition, TEXT_OPERATORS)
    roles = GROUP_FIELDS[condition.key.field.lower()]
    text = literal(condition).strip()
    named = Q(**{f"group__name__{TEXT_LOOKUPS[positive(condition.operator)]}": text})
    holders = Q(_holders(False, roles, named))
    return ~holders if is_negative(condition.operator) else holders


def _holders(on_queue: bool, roles: tuple[str, ...], principal: Q) -> Exists:
    if on_queue:
        return Exists(
            QueueWatcher.objects.filter(
                principal, queue_id=OuterRef("queue_id"), role__in=roles
            )
        )
    return Exists(
        TicketWatcher.objects.filter(
            principal, ticket_id=OuterRef("pk"), role__in=roles
        )
    )
