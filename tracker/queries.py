"""Reads for lists and pages. Rights filters run in SQL; prefetching is decided here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tracker import rights
from tracker.errors import NotFound
from tracker.models import Ticket, Transaction, TransactionType, User
from tracker.models.saved import SavedSearch


def visible_tickets(user: User, right: str = rights.SHOW_TICKET) -> QuerySet[Ticket]:
    """Tickets (not merged away) on which `user` holds `right`, filtered in the database."""
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    condition = rights.ticket_filter(user, right)
    if condition is not None:
        tickets = tickets.filter(condition)
    return tickets


def get_ticket_for(
    user: User,
    number: int,
    right: str = rights.SHOW_TICKET,
    *,
    related: tuple[str, ...] = (),
) -> Ticket:
    """The ticket answering for `number` (a merged number gives the survivor).

    Raises NotFound both when it does not exist and when `user` lacks `right`, so that
    nobody learns which numbers exist. `related` names more relations to load with it.
    """
    ticket = (
        Ticket.objects.select_related(
            "queue__lifecycle", "owner", "merged_into", *related
        )
        .filter(pk=number)
        .first()
    )
    if ticket is not None and ticket.merged_into_id:
        ticket = Ticket.objects.select_related(
            "queue__lifecycle", "owner", *related
        ).get(pk=ticket.merged_into_id)
    if ticket is None or not rights.has_right(user, right, ticket):
        raise NotFound(f"No ticket #{number} that you may see.")
    return ticket


COMMENT_TYPES = (TransactionType.COMMENT, TransactionType.COMMENT_EMAIL_RECORD)
OUTGOING_MAIL_TYPES = (
    TransactionType.EMAIL_RECORD,
    TransactionType.COMMENT_EMAIL_RECORD,
)


def tickets_with_right(user: User, right: str) -> QuerySet[Ticket] | None:
    """Tickets on which `user` holds `right`; None means every ticket."""
    condition = rights.ticket_filter(user, right)
    return None if condition is None else Ticket.objects.filter(condition)


def visible_transactions(user: User) -> Q | None:
    """A Q over Transaction keeping what `user` may read; None means everything.

    Ticket history follows the ticket page (ShowTicket, plus ShowTicketComments for
    comments and ShowOutgoingEmail for mail records). History of queues, groups and
    grants is for SuperUser only.
    """
    if rights.has_right(user, rights.SUPER_USER):
        return None
    condition = Q(ticket__isnull=False)
    for right, types in (
        (rights.SHOW_TICKET, None),
        (rights.SHOW_TICKET_COMMENTS, COMMENT_TYPES),
        (rights.SHOW_OUTGOING_EMAIL, OUTGOING_MAIL_TYPES),
    ):
        tickets = tickets_with_right(user, right)
        if tickets is None:
            continue
        allowed = Q(ticket__in=tickets)
        condition &= allowed if types is None else ~Q(type__in=types) | allowed
    return condition


def ticket_history(ticket: Ticket, user: User) -> QuerySet[Transaction]:
    """The ticket's transactions (and those of tickets merged into it) that `user` may see.

    Comments need ShowTicketComments; copies of outgoing mail need ShowOutgoingEmail;
    custom field changes need SeeCustomField.
    """
    ids = [
        ticket.pk,
        *Ticket.objects.filter(merged_into=ticket).values_list("pk", flat=True),
    ]
    history = Transaction.objects.filter(ticket_id__in=ids)
    hidden: list[str] = []
    if not rights.has_right(user, rights.SHOW_TICKET_COMMENTS, ticket):
        hidden += COMMENT_TYPES
    if not rights.has_right(user, rights.SHOW_OUTGOING_EMAIL, ticket):
        hidden += OUTGOING_MAIL_TYPES
    if not rights.has_right(user, rights.SEE_CUSTOM_FIELD, ticket):
        hidden.append(TransactionType.CUSTOM_FIELD)
    if hidden:
        history = history.exclude(type__in=hidden)
    return (
        history.select_related("creator").prefetch_related("attachments").order_by("id")
    )


def tickets_for_requestor(user: User) -> QuerySet[Ticket]:
    """Tickets where `user` is a requestor, restricted to what they may see."""
    return (
        visible_tickets(user)
        .filter(Q(watchers__role="Requestor", watchers__user=user))
        .distinct()
    )


def visible_saved_searches(user: User) -> QuerySet[SavedSearch]:
    """The user's own searches and those shared with a group they are in; none without
    LoadSavedSearch."""
    if not rights.has_right(user, rights.LOAD_SAVED_SEARCH):
        return SavedSearch.objects.none()
    groups = rights.grants_for(user).group_ids
    return SavedSearch.objects.filter(
        Q(owner=user) | Q(group_id__in=groups)
    ).select_related("group")
