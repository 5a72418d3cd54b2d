"""Links between tickets, and merging (rt-semantics 3, Link and Merge)."""

from __future__ import annotations

from django.db import transaction

from tracker import rights
from tracker.errors import NotFound, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket, lock_tickets
from tracker.models import (
    REVERSE_NAMES,
    Link,
    LinkType,
    SearchDocument,
    Ticket,
    TicketWatcher,
    Transaction,
    TransactionType,
    User,
)

# Every name a link can be given from one end, mapped to (stored type, is_reverse).
LINK_NAMES: dict[str, tuple[LinkType, bool]] = {
    "DependsOn": (LinkType.DEPENDS_ON, False),
    "DependedOnBy": (LinkType.DEPENDS_ON, True),
    "MemberOf": (LinkType.MEMBER_OF, False),
    "HasMember": (LinkType.MEMBER_OF, True),
    "RefersTo": (LinkType.REFERS_TO, False),
    "ReferredToBy": (LinkType.REFERS_TO, True),
}


# Outside targets a link may name; anything else (javascript:, data:...) is refused so
# that no page ever renders a dangerous link from ticket data.
LINK_URI_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "fsck.com-rt"})


def _parse_kind(kind: str) -> tuple[LinkType, bool]:
    for name, value in LINK_NAMES.items():
        if name.lower() == str(kind).lower():
            return value
    raise ValidationFailed(
        f"'{kind}' is not a link type (use one of {', '.join(LINK_NAMES)})."
    )


def _other_ticket(other: Ticket | int | str, actor: User) -> Ticket | str:
    """A local ticket (by object or number, merged numbers resolved) or an outside URI.

    A ticket the actor may not see answers exactly like a missing one, so that linking
    never reveals which numbers exist.
    """
    if isinstance(other, Ticket):
        number = other.pk
    elif isinstance(other, int) or str(other).strip().isdigit():
        number = int(other)
    else:
        uri = str(other).strip()
        scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
        if (
            scheme not in LINK_URI_SCHEMES
            or any(c.isspace() for c in uri)
            or len(uri) > 500
        ):
            raise ValidationFailed(
                f"'{uri[:80]}' is neither a ticket number nor a URI "
                f"({', '.join(sorted(LINK_URI_SCHEMES))})."
            )
        return uri
    ticket = Ticket.objects.select_related("merged_into").filter(pk=number).first()
    if ticket is not None and ticket.merged_into_id:
        ticket = ticket.merged_into
    if ticket is None or not rights.has_right(actor, rights.SHOW_TICKET, ticket):
        raise NotFound(f"Ticket {number} does not exist.")
    return ticket


def _record_both_ends(
    *,
    txn_type: TransactionType,
    link_type: LinkType,
    base: Ticket,
    target: Ticket | None,
    uri: str,
    actor: User,
    value_key: str,
    reverse: bool,
) -> Transaction:
    """Write the link's transaction on both local ends; return the one on the caller's ticket."""
    txn = record_transaction(
        ticket=base,
        type=txn_type,
        actor=actor,
        field=str(link_type),
        **{value_key: target.pk if target else uri},
        **({f"{value_key}_reference": target.pk} if target else {}),
    )
    if target is not None:
        far_end = record_transaction(
            ticket=target,
            type=txn_type,
            actor=actor,
            field=REVERSE_NAMES[link_type],
            **{value_key: base.pk, f"{value_key}_reference": base.pk},
        )
        if reverse:
            return far_end
    return txn


@transaction.atomic
def add_link(
    *, ticket: Ticket, kind: str, other: Ticket | int | str, actor: User
) -> Transaction:
    """Link `ticket` to `other` ("DependsOn", "HasMember", ...); AddLink on both ends.

    Needs ModifyTicket on each local end.
    """
    link_type, reverse = _parse_kind(kind)
    ticket = lock_ticket(ticket)
    other_end = _other_ticket(other, actor)
    if isinstance(other_end, Ticket):
        if other_end.pk == ticket.pk:
            raise ValidationFailed("A ticket cannot be linked to itself.")
        rights.require(actor, rights.MODIFY_TICKET, other_end)
    elif reverse:
        raise ValidationFailed(
            "Only a local ticket can be on the far side of a reverse link."
        )
    rights.require(actor, rights.MODIFY_TICKET, ticket)
    base, target = (other_end, ticket) if reverse else (ticket, other_end)
    local_target = target if isinstance(target, Ticket) else None
    uri = "" if local_target else str(target)
    _, created = Link.objects.get_or_create(
        type=link_type,
        base=base,
        target=local_target,
        target_uri=uri,
        defaults={"creator": actor},
    )
    if not created:
        raise ValidationFailed("That link already exists.")
    return _record_both_ends(
        txn_type=TransactionType.ADD_LINK,
        link_type=link_type,
        base=base,
        target=local_target,
        uri=uri,
        actor=actor,
        value_key="new",
        reverse=reverse,
    )


@transaction.atomic
def remove_link(
    *, ticket: Ticket, kind: str, other: Ticket | int | str, actor: User
) -> Transaction:
    """Remove a link; DeleteLink on both ends. Needs ModifyTicket on each local end."""
    link_type, reverse = _parse_kind(kind)
    ticket = lock_ticket(ticket)
    other_end = _other_ticket(other, actor)
    rights.require(actor, rights.MODIFY_TICKET, ticket)
    if isinstance(other_end, Ticket):
        rights.require(actor, rights.MODIFY_TICKET, other_end)
    elif reverse:
        raise ValidationFailed(
            "Only a local ticket can be on the far side of a reverse link."
        )
    base, target = (other_end, ticket) if reverse else (ticket, other_end)
    local_target = target if isinstance(target, Ticket) else None
    uri = "" if local_target else str(target)
    deleted, _ = Link.objects.filter(
        type=link_type, base=base, target=local_target, target_uri=uri
    ).delete()
    if not deleted:
        raise NotFound("There is no such link.")
    return _record_both_ends(
        txn_type=TransactionType.DELETE_LINK,
        link_type=link_type,
        base=base,
        target=local_target,
        uri=uri,
        actor=actor,
        value_key="old",
        reverse=reverse,
    )


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket | int, actor: User) -> Ticket:
    """Merge `source` into `target`; the source's number then answers for the target.

    Needs ModifyTicket on both. Watchers and links move to the target, time worked is
    added up, tickets already merged into the source follow it. Writes AddLink
    (MergedInto) on both tickets. Returns the target.
    """
    target_ticket = _other_ticket(target, actor)
    if not isinstance(target_ticket, Ticket):
        raise ValidationFailed("Tickets can only be merged into a local ticket.")
    if source.merged_into_id:
        raise ValidationFailed(f"Ticket {source.pk} is already merged.")
    if target_ticket.pk == source.pk:
        raise ValidationFailed("A ticket cannot be merged into itself.")
    locked = lock_tickets([source.pk, target_ticket.pk])
    source, target_ticket = locked[source.pk], locked[target_ticket.pk]
    # Checked again under the locks: a concurrent merge may have won the race.
    if source.merged_into_id or target_ticket.merged_into_id:
        raise ValidationFailed(
            f"Ticket {source.pk} or {target_ticket.pk} was merged meanwhile."
        )
    rights.require(actor, rights.MODIFY_TICKET, source)
    rights.require(actor, rights.MODIFY_TICKET, target_ticket)

    existing = set(
        TicketWatcher.objects.filter(ticket=target_ticket).values_list(
            "role", "user_id", "group_id"
        )
    )
    TicketWatcher.objects.bulk_create(
        TicketWatcher(
            ticket=target_ticket, role=w.role, user_id=w.user_id, group_id=w.group_id
        )
        for w in TicketWatcher.objects.filter(ticket=source)
        if (w.role, w.user_id, w.group_id) not in existing
    )
    _move_links(source, target_ticket)
    Ticket.objects.filter(merged_into=source).update(merged_into=target_ticket)
    # Content searches find the messages under the ticket that now holds them (those
    # of tickets merged into `source` earlier already point at it).
    SearchDocument.objects.filter(ticket=source).update(ticket=target_ticket)
    source.merged_into = target_ticket
    source.save(update_fields=["merged_into"])
    target_ticket.time_worked += source.time_worked
    target_ticket.save(update_fields=["time_worked"])
    Link.objects.create(
        type=LinkType.MERGED_INTO, base=source, target=target_ticket, creator=actor
    )
    record_transaction(
        ticket=source,
        type=TransactionType.ADD_LINK,
        actor=actor,
        field=LinkType.MERGED_INTO,
        new=target_ticket.pk,
        new_reference=target_ticket.pk,
    )
    record_transaction(
        ticket=target_ticket,
        type=TransactionType.ADD_LINK,
        actor=actor,
        field=LinkType.MERGED_INTO,
        old=source.pk,
        old_reference=source.pk,
        data={"merged": source.pk},
    )
    return target_ticket


def _move_links(source: Ticket, target: Ticket) -> None:
    """Re-point the source's links at the target, dropping duplicates and self-links."""
    for link in Link.objects.filter(base=source).exclude(type=LinkType.MERGED_INTO):
        if (
            link.target_id == target.pk
            or Link.objects.filter(
                type=link.type,
                base=target,
                target_id=link.target_id,
                target_uri=link.target_uri,
            ).exists()
        ):
            link.delete()
        else:
            Link.objects.filter(pk=link.pk).update(base=target)
    for link in Link.objects.filter(target=source).exclude(type=LinkType.MERGED_INTO):
        if (
            link.base_id == target.pk
            or Link.objects.filter(
                type=link.type, base_id=link.base_id, target=target
            ).exists()
        ):
            link.delete()
        else:
            Link.objects.filter(pk=link.pk).update(target=target)
