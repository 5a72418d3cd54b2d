"""Compile a TicketSQL tree into a Q over Ticket.

Every condition becomes a column comparison, a join along a foreign key, or an EXISTS /
IN subquery, so the whole search stays one SQL statement and never multiplies rows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F, Q

from lifecycles import registry
from tracker.ticketsql import content, customfields, links, people
from tracker.ticketsql.common import (
    EVERYTHING,
    NOTHING,
    NULL_OPERATORS,
    ORDER_OPERATORS,
    TEXT_OPERATORS,
    Context,
    check_operator,
    compare,
    integer,
    is_negative,
    literal,
    looks_like_integer,
    positive,
    text_match,
)
from tracker.ticketsql.dates import parse_moment
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.nodes import BoolOp, Condition, Node, ValueKind

INTEGER_FIELDS = {
    "id": "id",
    "effectiveid": "id",
    "priority": "priority",
    "initialpriority": "initial_priority",
    "finalpriority": "final_priority",
    "timeworked": "time_worked",
    "timeestimated": "time_estimated",
    "timeleft": "time_left",
}
DATE_FIELDS = {
    "created": "created",
    "started": "started",
    "resolved": "resolved",
    "due": "due",
    "starts": "starts",
    "told": "told",
    "lastcontacted": "told",
    "lastupdated": "last_updated",
}
TEXT_FIELDS = {
    "subject": "subject",
    "type": "type",
    "lifecycle": "queue__lifecycle__name",
}
USER_FIELDS = {
    "owner": "owner",
    "creator": "creator",
    "lastupdatedby": "last_updated_by",
}
# Bare words naming one of these compare against that column (`LastUpdated > Resolved`).
COLUMNS = {
    **{name: ("integer", path) for name, path in INTEGER_FIELDS.items()},
    **{name: ("date", path) for name, path in DATE_FIELDS.items()},
    **{name: ("text", path) for name, path in TEXT_FIELDS.items()},
    **{name: ("user", f"{path}_id") for name, path in USER_FIELDS.items()},
    "status": ("text", "status"),
    "queue": ("integer", "queue_id"),
}

Handler = Callable[[Context, Condition], Q]


def compile_tree(ctx: Context, node: Node, leaf: Handler) -> Q:
    """AND / OR nodes become `&` / `|` of their children; `leaf` compiles each condition
    (ticket fields here, transaction fields in TransactionSQL)."""
    if isinstance(node, BoolOp):
        parts = [compile_tree(ctx, child, leaf) for child in node.children]
        result = parts[0]
        for part in parts[1:]:
            result = result & part if node.operator == "AND" else result | part
        return result
    return leaf(ctx, node)


def compile_node(ctx: Context, node: Node) -> Q:
    return compile_tree(ctx, node, compile_condition)


def compile_condition(ctx: Context, condition: Condition) -> Q:
    key = condition.key
    if key.custom_field is not None:
        return customfields.condition(ctx, condition)
    name = key.field.lower()
    handler = _HANDLERS.get(name)
    if handler is None:
        raise TicketSQLError(f"unknown field '{key.field}'", key.position)
    if key.subfield and name not in _WITH_SUBFIELDS:
        raise TicketSQLError(f"{key.field} has no field '{key.subfield}'", key.position)
    return handler(ctx, condition)


def column_reference(condition: Condition, kind: str) -> F | None:
    """F(column) when the value is a bare word naming a column of the same kind."""
    value = condition.value
    if value.kind != ValueKind.BARE:
        return None
    found = COLUMNS.get(value.text.lower())
    if found is None:
        return None
    if found[0] != kind:
        raise TicketSQLError(
            f"{condition.key.text} cannot be compared with {value.text}",
            value.position,
        )
    return F(found[1])


def _integer_field(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, ORDER_OPERATORS + NULL_OPERATORS)
        if condition.operator in NULL_OPERATORS:
            return NOTHING if condition.operator == "IS" else EVERYTHING
        target = column_reference(condition, "integer")
        if target is None:
            return compare(path, condition.operator, integer(condition))
        return compare(path, condition.operator, target)

    return handler


def _text_field(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
        if condition.operator in NULL_OPERATORS:
            empty = Q(**{path: ""})
            return empty if condition.operator == "IS" else ~empty
        target = column_reference(condition, "text")
        if target is not None:
            check_operator(condition, ORDER_OPERATORS)
            return compare(path, condition.operator, target)
        return text_match(path, condition.operator, literal(condition))

    return handler


def _date_field(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, ORDER_OPERATORS + NULL_OPERATORS)
        operator = condition.operator
        if operator in NULL_OPERATORS:
            return Q(**{f"{path}__isnull": operator == "IS"})
        target = column_reference(condition, "date")
        if target is not None:
            return compare(path, operator, target)
        moment = parse_moment(literal(condition), now=ctx.now, zone=ctx.zone)
        if moment is None:
            raise TicketSQLError(
                f"'{condition.value.text}' is not a date {condition.key.text} understands",
                condition.value.position,
            )
        if positive(operator) == "=":
            day = Q(**{f"{path}__gte": moment.day_start, f"{path}__lt": moment.day_end})
            return ~day if is_negative(operator) else day
        return compare(path, operator, moment.at)

    return handler


def _user_field(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
        if condition.operator in NULL_OPERATORS:
            return NOTHING if condition.operator == "IS" else EVERYTHING
        target = column_reference(condition, "user")
        if target is not None:
            check_operator(condition, ORDER_OPERATORS)
            return compare(f"{path}_id", condition.operator, target)
        matched = people.user_match(ctx, condition, default="name_or_id")
        if matched.user_id is not None:
            q = Q(**{f"{path}_id": matched.user_id})
        else:
            q = Q(**{f"{path}__in": people.users(matched)})
        return ~q if is_negative(condition.operator) else q

    return handler


def _status(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    operator = condition.operator
    if operator in NULL_OPERATORS:
        return NOTHING if operator == "IS" else EVERYTHING
    target = column_reference(condition, "text")
    if target is not None:
        check_operator(condition, ORDER_OPERATORS)
        return compare("status", operator, target)
    text = literal(condition).strip().lower()
    if positive(operator) != "=":
        return text_match("status", operator, text)
    if text in ("__active__", "__inactive__"):
        q = _status_category(text == "__active__")
    else:
        q = Q(status=text)
    return ~q if is_negative(operator) else q


def _status_category(active: bool) -> Q:
    """Statuses of the category in every lifecycle, as RT's __Active__ / __Inactive__.

    Active means initial or active. A status whose category differs between lifecycles
    is matched only in the queues whose lifecycle puts it in the category.
    """
    wanted: dict[str, set[str]] = {}
    having: dict[str, set[str]] = {}
    for name in registry.lifecycle_names():
        lifecycle = registry.get_lifecycle(name)
        for status in lifecycle.statuses:
            having.setdefault(status, set()).add(name)
        chosen = lifecycle.initial + lifecycle.active if active else lifecycle.inactive
        for status in chosen:
            wanted.setdefault(status, set()).add(name)
    plain = sorted(s for s, names in wanted.items() if names == having[s])
    q = Q(status__in=plain) if plain else NOTHING
    for status in sorted(set(wanted) - set(plain)):
        q |= Q(status=status, queue__lifecycle__name__in=sorted(wanted[status]))
    return q


def _queue(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    operator = condition.operator
    if operator in NULL_OPERATORS:
        return NOTHING if operator == "IS" else EVERYTHING
    target = column_reference(condition, "integer")
    if target is not None:
        check_operator(condition, ORDER_OPERATORS)
        return compare("queue_id", operator, target)
    if looks_like_integer(condition.value) and operator in ORDER_OPERATORS:
        return compare("queue_id", operator, integer(condition))
    return text_match("queue__name", operator, literal(condition).strip())


_HANDLERS: dict[str, Handler] = {
    **{name: _integer_field(path) for name, path in INTEGER_FIELDS.items()},
    **{name: _date_field(path) for name, path in DATE_FIELDS.items()},
    **{name: _text_field(path) for name, path in TEXT_FIELDS.items()},
    **{name: _user_field(path) for name, path in USER_FIELDS.items()},
    "status": _status,
    "queue": _queue,
    **dict.fromkeys(people.WATCHER_FIELDS, people.watcher_condition),
    **dict.fromkeys(people.GROUP_FIELDS, people.group_condition),
    **dict.fromkeys(links.LINK_FIELDS, links.condition),
    **dict.fromkeys(content.CONTENT_FIELDS, content.condition),
    "updated": content.transaction_date,
    "transactiondate": content.transaction_date,
    "updatedby": content.transaction_creator,
}
_WITH_SUBFIELDS = frozenset({*USER_FIELDS, *people.WATCHER_FIELDS, "updatedby"})
