"""`search()`: a TicketSQL query run for one user, rights always applied."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone

from tracker.models import Ticket, User
from tracker.queries import visible_tickets
from tracker.ticketsql.common import Context
from tracker.ticketsql.compiler import compile_node
from tracker.ticketsql.dates import user_zone
from tracker.ticketsql.nodes import BoolOp, Condition, Node
from tracker.ticketsql.ordering import apply_ordering
from tracker.ticketsql.parser import parse

DELETED = "deleted"


def search(
    user: User,
    query: str,
    *,
    order_by: str | Sequence[str] = "id",
    order: str | Sequence[str] = "ASC",
) -> QuerySet[Ticket]:
    """The tickets `user` may see that match `query`, ordered; an empty query means all.

    Merged tickets never appear, and deleted ones only when the query asks for the
    deleted status. Compiling runs no query of its own: evaluating the result is one
    SQL statement. Raises TicketSQLError for a query, field, value or sort key that
    does not make sense.
    """
    tree = parse(query)
    ctx = Context(user=user, zone=user_zone(user), now=timezone.now())
    tickets = visible_tickets(user)
    if tree is not None:
        tickets = tickets.filter(compile_node(ctx, tree))
    if not mentions_deleted(tree):
        tickets = tickets.exclude(status=DELETED)
    return apply_ordering(ctx, tickets, order_by, order)


def mentions_deleted(node: Node | None) -> bool:
    """Whether the query compares Status with 'deleted' (then deleted tickets may match)."""
    if node is None:
        return False
    if isinstance(node, BoolOp):
        return any(mentions_deleted(child) for child in node.children)
    assert isinstance(node, Condition)
    return (
        node.key.custom_field is None
        and node.key.field.lower() == "status"
        and node.value.text.strip().lower() == DELETED
    )
