"""Composite updates from the web UI (several changes, one atomic block, no lost
updates), saved searches and preferences."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from queues.models import Queue
from tracker import rights
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.locks import lock_ticket
from tracker.models import Group, Ticket, Transaction, User
from tracker.models.saved import SavedSearch
from tracker.services.attachments import Upload
from tracker.services.messages import comment as add_comment
from tracker.services.messages import correspond
from tracker.services.owners import OwnerVerb, set_owner
from tracker.services.status import set_status
from tracker.services.tickets import add_time_worked, move_ticket, set_fields


def check_unchanged(ticket: Ticket, expected_last_updated: datetime | None) -> None:
    """Raise Conflict when the (locked) ticket changed after the page was loaded."""
    if expected_last_updated is None or ticket.last_updated == expected_last_updated:
        return
    raise Conflict(
        _(
            "Ticket #%(id)s was changed by %(name)s since you loaded the page. Nothing "
            "was saved: reload it, check the history and try again."
        )
        % {"id": ticket.pk, "name": ticket.last_updated_by.display_name}
    )


@transaction.atomic
def update_ticket(
    *,
    ticket: Ticket,
    actor: User,
    reply: str = "",
    comment: str = "",
    uploads: Sequence[Upload] = (),
    time_taken: int = 0,
    status: str | None = None,
    owner: User | None = None,
    expected_last_updated: datetime | None = None,
) -> list[Transaction]:
    """Reply and/or comment, then change owner and status, all or nothing.

    Uploads and time taken go with the reply when there is one, else with the comment;
    time taken without a message is added to TimeWorked on its own. Each step is the
    ordinary service, so rights and lifecycle rules apply unchanged. Raises Conflict,
    before writing anything, when the ticket changed since `expected_last_updated`.
    """
    ticket = lock_ticket(ticket)
    check_unchanged(ticket, expected_last_updated)
    status = (status or "").strip().lower() or None
    if status == ticket.status:
        status = None
    if owner is not None and owner.pk == ticket.owner_id:
        owner = None
    has_reply, has_comment = bool(reply.strip()), bool(comment.strip())
    if not (has_reply or has_comment or uploads or time_taken or status or owner):
        raise ValidationFailed(
            _("Nothing to update: write a message or change a field.")
        )
    written: list[Transaction] = []
    if has_reply or (uploads and not has_comment):
        written.append(
            correspond(
                ticket=ticket,
                actor=actor,
                body=reply,
                uploads=uploads,
                time_taken=time_taken,
            )
        )
        uploads, time_taken = (), 0
    if has_comment or uploads:
        written.append(
            add_comment(
                ticket=ticket,
                actor=actor,
                body=comment,
                uploads=uploads,
                time_taken=time_taken,
            )
        )
        time_taken = 0
    if time_taken:
        written += add_time_worked(ticket=ticket, minutes=time_taken, actor=actor)
    if owner is not None:
        verb = OwnerVerb.SET
        if owner.pk == actor.pk and not ticket.owner.is_nobody:
            verb = OwnerVerb.STEAL
        written.append(set_owner(ticket=ticket, owner=owner, actor=actor, verb=verb))
    if status is not None:
        written.append(set_status(ticket=ticket, status=status, actor=actor))
    return written


@transaction.atomic
def update_basics(
    *,
    ticket: Ticket,
    actor: User,
    changes: Mapping[str, Any],
    queue: Queue | None = None,
    expected_last_updated: datetime | None = None,
) -> list[Transaction]:
    """Change basic fields and, optionally, the queue, all or nothing.

    Raises Conflict, before writing anything, when the ticket changed since
    `expected_last_updated`.
    """
    ticket = lock_ticket(ticket)
    check_unchanged(ticket, expected_last_updated)
    written: list[Transaction] = list(
        set_fields(ticket=ticket, actor=actor, **changes) if changes else []
    )
    if queue is not None and queue.pk != ticket.queue_id:
        written += move_ticket(ticket=ticket, queue=queue, actor=actor)
    return written


# --- Saved searches ---------------------------------------------------------------------
# Not ticket changes, so they write no history; kept here until they get a module of
# their own (tracker/services/searches.py).


@transaction.atomic
def save_search(
    *,
    actor: User,
    name: str,
    query: str,
    order_by: str = "LastUpdated",
    order: str = "DESC",
    group: Group | None = None,
    columns: str = "",
) -> SavedSearch:
    """Save (or overwrite, by name) one of the actor's searches; needs CreateSavedSearch.

    Sharing with a group needs membership of that group.
    """
    rights.require(actor, rights.CREATE_SAVED_SEARCH)
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationFailed(_("A saved search needs a name."))
    if group is not None and group.pk not in rights.grants_for(actor).group_ids:
        raise PermissionDenied(_("You can only share searches with your own groups."))
    saved, _created = SavedSearch.objects.update_or_create(
        owner=actor,
        name=name,
        defaults={
            "query": query,
            "order_by": order_by,
            "order": "ASC" if order.upper() == "ASC" else "DESC",
            "group": group,
            "columns": columns[:500],
        },
    )
    return saved


@transaction.atomic
def delete_saved_search(*, saved: SavedSearch, actor: User) -> None:
    """Only the owner deletes a saved search."""
    if saved.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may delete this saved search."))
    saved.delete()


# --- Preferences ------------------------------------------------------------------------


@transaction.atomic
def set_preferences(
    *,
    user: User,
    actor: User,
    time_zone: str,
    language: str,
    notify_own_actions: bool,
) -> User:
    """Change a user's own display and notification preferences; needs ModifySelf."""
    if actor.pk != user.pk:
        rights.require(actor, rights.ADMIN_USERS)
    else:
        rights.require(actor, rights.MODIFY_SELF, None, rights.ADMIN_USERS)
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValidationFailed(
            _("'%(zone)s' is not a known time zone.") % {"zone": time_zone}
        )
    user.time_zone = time_zone
    user.language = language
    user.notify_own_actions = notify_own_actions
    user.save(update_fields=["time_zone", "language", "notify_own_actions"])
    return user
