"""Conditions on messages: Content (full text), ContentType, Filename, and transactions.

A merged ticket's messages count for the ticket it was merged into.
"""

from __future__ import annotations

import re

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)

from tracker import rights
from tracker.models import Attachment, Ticket, Transaction
from tracker.models.search import TEXT_SEARCH_CONFIG, SearchDocument
from tracker.queries import COMMENT_TYPES, OUTGOING_MAIL_TYPES, visible_transactions
from tracker.ticketsql import people
from tracker.ticketsql.common import (
    NULL_OPERATORS,
    ORDER_OPERATORS,
    TEXT_OPERATORS,
    Context,
    check_operator,
    compare,
    is_negative,
    literal,
    positive,
    text_match,
)
from tracker.ticketsql.dates import parse_moment
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.nodes import Condition

CONTENT_FIELDS = ("content", "contenttype", "filename")
_ATTACHMENT_COLUMNS = {"contenttype": "content_type", "filename": "filename"}
_MAX_WORDS = 32


class _ToTsQuery(Func):
    template = f"to_tsquery('{TEXT_SEARCH_CONFIG}'::regconfig, %(expressions)s)"
    output_field = TextField()


class _Matches(Func):
    """`vector @@ query` on PostgreSQL."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def condition(ctx: Context, condition: Condition) -> Q:
    name = condition.key.field.lower()
    if name == "content":
        return _content(ctx, condition)
    path = _ATTACHMENT_COLUMNS[name]
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    readable = _readable_transactions(ctx)
    parts = Attachment.objects.all()
    if readable is not None:
        parts = parts.filter(transaction__in=readable)
    if condition.operator in NULL_OPERATORS:
        found = _tickets_with(parts.exclude(**{path: ""}))
        return ~found if condition.operator == "IS" else found
    parts = parts.filter(
        text_match(path, positive(condition.operator), literal(condition))
    )
    found = _tickets_with(parts)
    return ~found if is_negative(condition.operator) else found


def _readable_transactions(ctx: Context) -> QuerySet[Transaction] | None:
    """Ids of the transactions the user may read (comments need ShowTicketComments),
    so that a search never reveals the words of a message the user cannot open.
    None when the user may read them all."""
    condition = visible_transactions(ctx.user)
    if condition is None:
        return None
    return Transaction.objects.filter(condition).order_by().values("pk")


def _tickets_with(parts: QuerySet[Attachment]) -> Q:
    """Tickets holding one of `parts` (attachments); a merged ticket's count for its
    survivor."""
    parts = parts.order_by()  # compound statements take no ORDER BY in their arms
    return Q(
        pk__in=parts.values("transaction__ticket_id").union(
            parts.filter(transaction__ticket__merged_into__isnull=False).values(
                "transaction__ticket__merged_into_id"
            )
        )
    )


def _content(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, ("=", "!=", "LIKE", "NOT LIKE"))
    documents = SearchDocument.objects.filter(
        document_match(literal(condition))
    ).order_by()
    found = _readable_match(ctx, documents)
    return ~found if is_negative(condition.operator) else found


def _readable_match(ctx: Context, documents: QuerySet[SearchDocument]) -> Q:
    """Tickets holding one of `documents` that the user may read there: the words of
    comments and outgoing mail stay hidden from users who may see a ticket but not
    those messages.

    Each document carries its transaction's type and the ticket that holds it (the
    survivor, once merged), so the match is one semi-join on `ticket_id` with no join
    to transactions: PostgreSQL either reads the GIN index's matches or, for a
    common word and the first page, walks the tickets newest first and probes each
    one's documents. A message kind the user may read on no ticket is dropped from
    the documents; one readable on some tickets only is a condition on the ticket
    found (as its history page judges it): such tickets match on any document,
    others only on documents of the kinds they may read.
    """
    shown = rights.ticket_filter(ctx.user, rights.SHOW_TICKET)
    hidden: set[str] = set()  # kinds of message the user may read nowhere
    partial: list[tuple[frozenset[str], Q]] = []  # readable where the Q holds
    for right, types in (
        (rights.SHOW_TICKET_COMMENTS, COMMENT_TYPES),
        (rights.SHOW_OUTGOING_EMAIL, OUTGOING_MAIL_TYPES),
    ):
        allowed = rights.ticket_filter(ctx.user, right)
        if allowed is None or _same_tickets(allowed, shown):
            continue
        if _sql(allowed) == "":
            hidden.update(types)
        else:
            partial.append((frozenset(types), allowed))
    if hidden:
        documents = documents.exclude(transaction_type__in=sorted(hidden))
    found = Q(pk__in=documents.values("ticket_id"))
    if not partial:
        return found
    # Which kinds may be read depends on the ticket: one alternative per subset of
    # the rights held there (at most four).
    alternatives: Q | None = None
    for held in _subsets(len(partial)):
        on_ticket = Q()
        unreadable: set[str] = set()
        for index, (types, allowed) in enumerate(partial):
            if index in held:
                on_ticket &= allowed
            else:
                unreadable |= types
        if unreadable:
            readable = documents.exclude(transaction_type__in=sorted(unreadable))
            # Correlated: probed per ticket by `ticket_id` (the page needs few), where
            # an IN would build its whole set before the first row.
            on_ticket &= Q(Exists(readable.filter(ticket_id=OuterRef("pk"))))
        alternatives = on_ticket if alternatives is None else alternatives | on_ticket
    assert alternatives is not None
    return found & alternatives


def _subsets(count: int) -> list[frozenset[int]]:
    """Every subset of range(count), the full set first."""
    return sorted(
        (
            frozenset(i for i in range(count) if mask >> i & 1)
            for mask in range(2**count)
        ),
        key=len,
        reverse=True,
    )


def _same_tickets(first: Q, second: Q | None) -> bool:
    """Whether two ticket filters are the same condition: the same SQL selects the
    same tickets. Compiling runs no query."""
    if second is None:
        return False
    return _sql(first) == _sql(second)


def _sql(condition: Q) -> str:
    try:
        return str(Ticket.objects.order_by().values("pk").filter(condition).query)
    except EmptyResultSet:  # a filter that matches nothing
        return ""


def document_match(text: str) -> Q:
    words = re.findall(r"\w+", text)[:_MAX_WORDS]
    if connection.vendor != "postgresql" or not words:
        return Q(content__icontains=text)
    # Each word is a prefix match; words are \w only, so the tsquery always parses.
    query = " & ".join(f"{word}:*" for word in words)
    return Q(_Matches(F("vector"), _ToTsQuery(Value(query))))


def _transactions(ctx: Context) -> QuerySet[Transaction]:
    """The transactions the user may read in a ticket's history."""
    condition = visible_transactions(ctx.user)
    everything = Transaction.objects.all()
    return everything if condition is None else everything.filter(condition)


def transaction_date(ctx: Context, condition: Condition) -> Q:
    """`Updated` / `TransactionDate`: some transaction of the ticket at that moment."""
    check_operator(condition, ORDER_OPERATORS)
    moment = parse_moment(literal(condition), now=ctx.now, zone=ctx.zone)
    if moment is None:
        raise TicketSQLError(
            f"'{condition.value.text}' is not a date {condition.key.text} understands",
            condition.value.position,
        )
    if positive(condition.operator) == "=":
        when = Q(created__gte=moment.day_start, created__lt=moment.day_end)
    else:
        when = compare("created", condition.operator, moment.at)
    found = Q(Exists(_transactions(ctx).filter(when, ticket_id=OuterRef("pk"))))
    return ~found if is_negative(condition.operator) else found


def transaction_creator(ctx: Context, condition: Condition) -> Q:
    """`UpdatedBy`: some transaction of the ticket made by that user."""
    check_operator(condition, TEXT_OPERATORS)
    matched = people.user_match(ctx, condition, default="name_or_id")
    found = Q(
        Exists(
            _transactions(ctx).filter(
                creator__in=people.users(matched), ticket_id=OuterRef("pk")
            )
        )
    )
    return ~found if is_negative(condition.operator) else found
