"""TransactionSQL: the TicketSQL grammar over history entries, as RT's REST 2.0
`/transactions?query=` offers it.

Fields: id, ObjectId, TimeTaken, OldReference, NewReference (numbers); Type, Field,
OldValue, NewValue, ObjectType (text); Created (date); Creator (user); Content,
ContentType, Filename (the transaction's message parts); and every ticket field
prefixed with `Ticket` (`TicketQueue = 'NOC'`, `TicketStatus = '__Active__'`,
`TicketOwner.EmailAddress LIKE 'x'`), which matches transactions of the tickets the
TicketSQL condition selects. The user's rights are always applied: a search returns
only transactions the user may read in a ticket's history (or, for SuperUser, any).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from tracker import rights
from tracker.models import Attachment, Ticket, Transaction, TransactionType, User
from tracker.models.search import SearchDocument
from tracker.queries import tickets_with_right, visible_transactions
from tracker.ticketsql import people
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
    negate_if,
    positive,
    text_match,
)
from tracker.ticketsql.compiler import compile_condition, compile_tree
from tracker.ticketsql.content import document_match
from tracker.ticketsql.dates import parse_moment, user_zone
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.nodes import Condition
from tracker.ticketsql.parser import parse

INTEGER_FIELDS = {
    "id": "id",
    "objectid": "object_id",
    "timetaken": "time_taken",
    "oldreference": "old_reference",
    "newreference": "new_reference",
}
TEXT_FIELDS = {
    "type": "type",
    "field": "field",
    "oldvalue": "old_value",
    "newvalue": "new_value",
    "objecttype": "object_type",
}
SORT_COLUMNS = {
    **INTEGER_FIELDS,
    **TEXT_FIELDS,
    "created": "created",
    "creator": "creator__username",
}
_NULLABLE = frozenset({"old_reference", "new_reference"})
TICKET_PREFIX = "ticket"

Handler = Callable[[Context, Condition], Q]


def search_transactions(
    user: User,
    query: str,
    *,
    order_by: str | Sequence[str] = "id",
    order: str | Sequence[str] = "ASC",
) -> QuerySet[Transaction]:
    """The transactions `user` may read that match `query`; an empty query means all.

    One SQL statement when evaluated. Raises TicketSQLError (a ValidationFailed) for a
    query, field, value or sort key that does not make sense.
    """
    tree = parse(query)
    ctx = Context(user=user, zone=user_zone(user), now=timezone.now())
    txns = Transaction.objects.all()
    readable = readable_transactions(user)
    if readable is not None:
        txns = txns.filter(readable)
    if tree is not None:
        txns = txns.filter(compile_tree(ctx, tree, _condition))
    return _ordered(txns, order_by, order)


def readable_transactions(user: User) -> Q | None:
    """A Q over Transaction keeping what `user` may read, as on the ticket's history
    page: besides `queries.visible_transactions`, custom field changes need
    SeeCustomField on their ticket. None means everything."""
    condition = visible_transactions(user)
    if condition is None:
        return None
    with_fields = tickets_with_right(user, rights.SEE_CUSTOM_FIELD)
    if with_fields is not None:
        condition &= ~Q(type=TransactionType.CUSTOM_FIELD) | Q(
            ticket__in=with_fields.values("pk")
        )
    return condition


def _condition(ctx: Context, condition: Condition) -> Q:
    key = condition.key
    name = key.field.lower()
    if key.custom_field is None and name in _HANDLERS:
        if key.subfield and name != "creator":
            raise TicketSQLError(
                f"{key.field} has no field '{key.subfield}'", key.position
            )
        return _HANDLERS[name](ctx, condition)
    if name.startswith(TICKET_PREFIX) and len(name) > len(TICKET_PREFIX):
        return _ticket_condition(ctx, condition)
    raise TicketSQLError(f"unknown field '{key.field}'", key.position)


def _integer(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, ORDER_OPERATORS + NULL_OPERATORS)
        if condition.operator in NULL_OPERATORS:
            if path not in _NULLABLE:
                return NOTHING if condition.operator == "IS" else EVERYTHING
            return Q(**{f"{path}__isnull": condition.operator == "IS"})
        return compare(path, condition.operator, integer(condition))

    return handler


def _text(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
        if condition.operator in NULL_OPERATORS:
            empty = Q(**{path: ""})
            return empty if condition.operator == "IS" else ~empty
        return text_match(path, condition.operator, literal(condition))

    return handler


def _created(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, ORDER_OPERATORS + NULL_OPERATORS)
    operator = condition.operator
    if operator in NULL_OPERATORS:
        return NOTHING if operator == "IS" else EVERYTHING
    moment = parse_moment(literal(condition), now=ctx.now, zone=ctx.zone)
    if moment is None:
        raise TicketSQLError(
            f"'{condition.value.text}' is not a date {condition.key.text} understands",
            condition.value.position,
        )
    if positive(operator) == "=":
        day = Q(created__gte=moment.day_start, created__lt=moment.day_end)
        return negate_if(operator, day)
    return compare("created", operator, moment.at)


def _creator(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    if condition.operator in NULL_OPERATORS:
        return NOTHING if condition.operator == "IS" else EVERYTHING
    matched = people.user_match(ctx, condition, default="name_or_id")
    if matched.user_id is not None:
        q = Q(creator_id=matched.user_id)
    else:
        q = Q(creator__in=people.users(matched))
    return negate_if(condition.operator, q)


def _content(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, ("=", "!=", "LIKE", "NOT LIKE"))
    documents = SearchDocument.objects.filter(
        document_match(literal(condition)), attachment__transaction=OuterRef("pk")
    )
    return negate_if(condition.operator, Q(Exists(documents)))


def _attachment_column(path: str) -> Handler:
    def handler(ctx: Context, condition: Condition) -> Q:
        check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
        parts = Attachment.objects.filter(transaction=OuterRef("pk"))
        if condition.operator in NULL_OPERATORS:
            found = Q(Exists(parts.exclude(**{path: ""})))
            return ~found if condition.operator == "IS" else found
        matching = parts.filter(
            text_match(path, positive(condition.operator), literal(condition))
        )
        return negate_if(condition.operator, Q(Exists(matching)))

    return handler


def _ticket_condition(ctx: Context, condition: Condition) -> Q:
    """`TicketX op value`: the TicketSQL condition `X op value`, on the transaction's
    ticket. Deleted tickets count like any other: their history is still history."""
    key = condition.key
    field = key.field[len(TICKET_PREFIX) :]
    inner = replace(
        condition,
        key=replace(key, field=field, text=key.text[len(TICKET_PREFIX) :]),
    )
    if field.lower() == "id" and not is_negative(condition.operator):
        check_operator(inner, ORDER_OPERATORS)
        return compare("ticket_id", condition.operator, integer(inner))
    tickets = Ticket.objects.filter(compile_condition(ctx, inner)).values("pk")
    return Q(ticket__in=tickets)


def _ordered(
    txns: QuerySet[Transaction],
    order_by: str | Sequence[str],
    order: str | Sequence[str],
) -> QuerySet[Transaction]:
    fields = [order_by] if isinstance(order_by, str) else list(order_by)
    fields = [f.strip() for f in fields if f.strip()] or ["id"]
    directions = [order] if isinstance(order, str) else list(order)
    directions = [d.strip().upper() for d in directions if d.strip()] or ["ASC"]
    keys = []
    for index, field in enumerate(fields):
        direction = directions[min(index, len(directions) - 1)]
        if direction not in ("ASC", "DESC"):
            raise TicketSQLError(
                f"unknown sort order '{direction}', use ASC or DESC", 0
            )
        path = SORT_COLUMNS.get(field.lower())
        if path is None:
            raise TicketSQLError(f"cannot sort by '{field}'", 0)
        expression = Lower(path) if field.lower() == "creator" else F(path)
        keys.append(
            expression.desc(nulls_last=True)
            if direction == "DESC"
            else expression.asc(nulls_last=True)
        )
    if "id" not in (f.lower() for f in fields):
        keys.append(F("id").asc())
    return txns.order_by(*keys)


_HANDLERS: dict[str, Handler] = {
    **{name: _integer(path) for name, path in INTEGER_FIELDS.items()},
    **{name: _text(path) for name, path in TEXT_FIELDS.items()},
    "created": _created,
    "creator": _creator,
    "content": _content,
    "contenttype": _attachment_column("content_type"),
    "filename": _attachment_column("filename"),
}
