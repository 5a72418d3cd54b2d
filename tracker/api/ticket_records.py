"""Tickets as RT's REST 2.0 shows them: RT field names, references and hyperlinks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from rest_framework.request import Request

from lifecycles import registry
from lifecycles.engine import UpdateType
from tracker import rights
from tracker.api.base import format_date, link, ref, user_ref
from tracker.models import (
    CustomField,
    CustomFieldValue,
    Link,
    LinkType,
    Ticket,
    TicketWatcher,
)
from tracker.services.customfields import custom_fields_for_queue

# Link names as RT's hyperlinks spell them, seen from the base and from the target.
OUTGOING_LINK_REFS = {
    LinkType.DEPENDS_ON: "depends-on",
    LinkType.MEMBER_OF: "parent",
    LinkType.REFERS_TO: "refers-to",
}
INCOMING_LINK_REFS = {
    LinkType.DEPENDS_ON: "depended-on-by",
    LinkType.MEMBER_OF: "child",
    LinkType.REFERS_TO: "referred-to-by",
}

SCALAR_FIELDS = {
    "Subject": "subject",
    "Status": "status",
    "Type": "type",
    "Priority": "priority",
    "InitialPriority": "initial_priority",
    "FinalPriority": "final_priority",
    "TimeEstimated": "time_estimated",
    "TimeWorked": "time_worked",
    "TimeLeft": "time_left",
}
DATE_FIELDS = {
    "Created": "created",
    "Started": "started",
    "Resolved": "resolved",
    "Due": "due",
    "Starts": "starts",
    "Told": "told",
    "LastUpdated": "last_updated",
}
USER_FIELDS = {
    "Owner": "owner",
    "Creator": "creator",
    "LastUpdatedBy": "last_updated_by",
}
WATCHER_FIELDS = ("Requestor", "Cc", "AdminCc")
LISTABLE_FIELDS = frozenset(
    {
        "id",
        "Queue",
        "EffectiveId",
        "CustomFields",
        *SCALAR_FIELDS,
        *DATE_FIELDS,
        *USER_FIELDS,
        *WATCHER_FIELDS,
    }
)


RECORD_RELATIONS = ("queue__lifecycle", "owner", "creator", "last_updated_by")


def watchers_prefetch() -> Prefetch:
    return Prefetch(
        "watchers",
        queryset=TicketWatcher.objects.select_related("user", "group").order_by("id"),
    )


def with_related(tickets: QuerySet[Ticket], *, custom_fields: bool) -> QuerySet[Ticket]:
    """Everything a record needs, loaded in a fixed number of queries."""
    tickets = tickets.select_related(*RECORD_RELATIONS).prefetch_related(
        watchers_prefetch()
    )
    if custom_fields:
        tickets = tickets.prefetch_related(
            Prefetch(
                "custom_values",
                queryset=CustomFieldValue.objects.order_by("id"),
            )
        )
    return tickets


class TicketRecords:
    """Builds ticket records for one request; caches per-queue lookups across a page."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.user = request.user
        self._queue_fields: dict[int, list[CustomField]] = {}

    # --- pieces --------------------------------------------------------------------------

    def watchers(self, ticket: Ticket, role: str) -> list[dict[str, Any]]:
        result = []
        for watcher in ticket.watchers.all():
            if watcher.role != role:
                continue
            if watcher.user_id:
                result.append(user_ref(self.request, watcher.user))
            else:
                result.append(ref(self.request, "group", watcher.group_id))
        return result

    def _fields_of_queue(self, queue_id: int) -> list[CustomField]:
        if queue_id not in self._queue_fields:
            self._queue_fields[queue_id] = custom_fields_for_queue(queue_id)
        return self._queue_fields[queue_id]

    def custom_fields(
        self, ticket: Ticket, values: Iterable[CustomFieldValue]
    ) -> list[dict[str, Any]]:
        by_field: dict[int, list[str]] = {}
        for value in values:
            by_field.setdefault(value.custom_field_id, []).append(value.content)
        return [
            {
                **ref(self.request, "customfield", field.pk),
                "name": field.name,
                "values": by_field.get(field.pk, []),
            }
            for field in self._fields_of_queue(ticket.queue_id)
        ]

    def value(self, ticket: Ticket, name: str, *, cf_values: Any = None) -> Any:
        """One field of the record by its RT name."""
        if name == "id":
            return ticket.pk
        if name in SCALAR_FIELDS:
            return getattr(ticket, SCALAR_FIELDS[name])
        if name in DATE_FIELDS:
            return format_date(getattr(ticket, DATE_FIELDS[name]))
        if name in USER_FIELDS:
            return user_ref(self.request, getattr(ticket, USER_FIELDS[name]))
        if name in WATCHER_FIELDS:
            return self.watchers(ticket, name)
        if name == "Queue":
            return ref(self.request, "queue", ticket.queue_id)
        if name == "EffectiveId":
            return ref(self.request, "ticket", ticket.effective_id)
        if name == "CustomFields":
            # On list pages the queue-level right decides, to keep the query count flat.
            if not rights.has_right(self.user, rights.SEE_CUSTOM_FIELD, ticket.queue):
                return []
            values = ticket.custom_values.all() if cf_values is None else cf_values
            return self.custom_fields(ticket, values)
        raise KeyError(name)

    # --- whole records -------------------------------------------------------------------

    def item(self, ticket: Ticket, fields: list[str]) -> dict[str, Any]:
        """A collection entry: the reference plus the `fields=` asked for."""
        record = ref(self.request, "ticket", ticket.pk)
        for name in fields:
            if name in LISTABLE_FIELDS and name != "id":
                record[name] = self.value(ticket, name)
        return record

    def detail(self, ticket: Ticket) -> dict[str, Any]:
        """GET /ticket/:id."""
        if rights.has_right(self.user, rights.SEE_CUSTOM_FIELD, ticket):
            values = CustomFieldValue.objects.filter(ticket=ticket).order_by("id")
            custom_fields = self.custom_fields(ticket, values)
        else:
            custom_fields = []
        record: dict[str, Any] = {"id": ticket.pk}
        for name in (
            "Type",
            "EffectiveId",
            "Subject",
            "Status",
            "Queue",
            "Owner",
            "Creator",
            "LastUpdatedBy",
            *WATCHER_FIELDS,
            "Priority",
            "InitialPriority",
            "FinalPriority",
            "TimeEstimated",
            "TimeWorked",
            "TimeLeft",
            *DATE_FIELDS,
        ):
            record[name] = self.value(ticket, name)
        record["CustomFields"] = custom_fields
        record["_hyperlinks"] = self.hyperlinks(ticket)
        return record

    def hyperlinks(self, ticket: Ticket) -> list[dict[str, Any]]:
        """Self and history always; every action only if the caller may take it."""
        request, pk = self.request, ticket.pk
        links = [
            {"ref": "self", **ref(request, "ticket", pk)},
            link(request, "history", "ticket", pk, "history"),
            link(request, "attachments", "ticket", pk, "attachments"),
        ]
        can = self._can(ticket)
        if can(rights.MODIFY_TICKET):
            links.append(link(request, "update", "ticket", pk))
        if can(rights.DELETE_TICKET):
            links.append(link(request, "delete", "ticket", pk))
        can_reply = can(rights.REPLY_TO_TICKET) or can(rights.MODIFY_TICKET)
        can_comment = can(rights.COMMENT_ON_TICKET) or can(rights.MODIFY_TICKET)
        if can_reply:
            links.append(link(request, "correspond", "ticket", pk, "correspond"))
        if can_comment:
            links.append(link(request, "comment", "ticket", pk, "comment"))
        links += self._owner_links(ticket, can)
        links += self._lifecycle_links(ticket, can, can_reply, can_comment)
        links += self._link_refs(ticket)
        return links

    def _can(self, ticket: Ticket) -> Any:
        cache: dict[str, bool] = {}

        def can(right: str) -> bool:
            if right not in cache:
                cache[right] = rights.has_right(self.user, right, ticket)
            return cache[right]

        return can

    def _owner_links(self, ticket: Ticket, can: Any) -> list[dict[str, Any]]:
        owner = ticket.owner
        manage = can(rights.MODIFY_TICKET) or can(rights.REASSIGN_TICKET)
        may_own = can(rights.OWN_TICKET)
        if owner.is_nobody:
            if may_own and (manage or can(rights.TAKE_TICKET)):
                return [link(self.request, "take", "ticket", ticket.pk, "take")]
            return []
        if owner.pk == self.user.pk:
            return [link(self.request, "untake", "ticket", ticket.pk, "untake")]
        if may_own and (can(rights.STEAL_TICKET) or can(rights.MODIFY_TICKET)):
            return [link(self.request, "steal", "ticket", ticket.pk, "steal")]
        return []

    def _lifecycle_links(
        self, ticket: Ticket, can: Any, can_reply: bool, can_comment: bool
    ) -> list[dict[str, Any]]:
        lifecycle = registry.get_lifecycle(ticket.queue.lifecycle.name)
        links = []
        for action in lifecycle.actions_for(ticket.status):
            target = action.to_status
            if target == ticket.status or not lifecycle.can_transition(
                ticket.status, target
            ):
                continue
            if not can(lifecycle.required_right(ticket.status, target)):
                continue
            if action.update == UpdateType.RESPOND:
                if not can_reply:
                    continue
                parts: tuple = ("ticket", ticket.pk, "correspond")
            elif action.update == UpdateType.COMMENT:
                if not can_comment:
                    continue
                parts = ("ticket", ticket.pk, "comment")
            else:
                parts = ("ticket", ticket.pk)
            links.append(
                link(
                    self.request,
                    "lifecycle",
                    *parts,
                    label=action.label,
                    **{"from": ticket.status, "to": target},
                    update=str(action.update).capitalize() or None,
                )
            )
        return links

    def _link_refs(self, ticket: Ticket) -> list[dict[str, Any]]:
        links = []
        rows = Link.objects.filter(Q(base=ticket) | Q(target=ticket)).order_by("id")
        for row in rows:
            if row.base_id == ticket.pk and row.type in OUTGOING_LINK_REFS:
                name = OUTGOING_LINK_REFS[row.type]
                if row.target_id:
                    links.append(
                        {"ref": name, **ref(self.request, "ticket", row.target_id)}
                    )
                else:
                    links.append(
                        {"ref": name, "type": "external", "_url": row.target_uri}
                    )
            elif row.target_id == ticket.pk and row.type in INCOMING_LINK_REFS:
                name = INCOMING_LINK_REFS[row.type]
                links.append({"ref": name, **ref(self.request, "ticket", row.base_id)})
        return links
