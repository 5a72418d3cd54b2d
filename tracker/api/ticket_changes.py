"""Turning RT-shaped ticket bodies into service calls, and their results into RT's messages."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from tracker import services
from tracker.api import inputs
from tracker.errors import ValidationFailed
from tracker.models import (
    CustomField,
    Group,
    Link,
    LinkType,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)
from tracker.principals import nobody
from tracker.services.principals import resolve_principal

INT_FIELDS = {
    "Priority": "priority",
    "InitialPriority": "initial_priority",
    "FinalPriority": "final_priority",
    "TimeEstimated": "time_estimated",
    "TimeWorked": "time_worked",
    "TimeLeft": "time_left",
}
DATE_FIELDS = {
    "Starts": "starts",
    "Started": "started",
    "Due": "due",
    "Resolved": "resolved",
    "Told": "told",
}
WATCHER_ROLES = ("Requestor", "Cc", "AdminCc")
# RT's link names on a ticket, with the aliases Parent and Child.
LINK_KINDS = {
    "DependsOn": "DependsOn",
    "DependedOnBy": "DependedOnBy",
    "MemberOf": "MemberOf",
    "Parent": "MemberOf",
    "HasMember": "HasMember",
    "Child": "HasMember",
    "Members": "HasMember",
    "RefersTo": "RefersTo",
    "ReferredToBy": "ReferredToBy",
}
# Fields a client may send back from a GET that cannot be changed: ignored, as RT does.
READ_ONLY = {
    "id",
    "Type",
    "EffectiveId",
    "Creator",
    "Created",
    "LastUpdated",
    "LastUpdatedBy",
    "_url",
    "_hyperlinks",
}
UPDATABLE = (
    {"Subject", "Status", "Owner", "Queue", "CustomFields", "MergeInto"}
    | set(INT_FIELDS)
    | set(DATE_FIELDS)
    | set(WATCHER_ROLES)
    | {f"{verb}{role}" for verb in ("Add", "Delete") for role in WATCHER_ROLES}
    | set(LINK_KINDS)
    | {f"{verb}{kind}" for verb in ("Add", "Delete") for kind in LINK_KINDS}
)


def _shown(value: str) -> str:
    return f"'{value}'" if value != "" else "(no value)"


class Changes:
    """Applies one update body to one ticket; collects RT-style messages."""

    def __init__(self, request: Request, ticket: Ticket) -> None:
        self.actor: User = request.user
        self.ticket = ticket
        self.messages: list[str] = []

    def say(self, text: str) -> None:
        self.messages.append(f"Ticket {self.ticket.pk}: {text}")

    # --- the whole body --------------------------------------------------------------

    def apply(self, data: dict[str, Any]) -> list[str]:
        """Queue first (it can change the status), then fields, owner, watchers,
        links, custom fields, the status, and a merge last."""
        unknown = sorted(set(data) - UPDATABLE - READ_ONLY)
        if unknown:
            raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
        if "Queue" in data:
            self.queue(data["Queue"])
        self.fields(data)
        if "Owner" in data:
            self.owner(data["Owner"])
        for role in WATCHER_ROLES:
            self.watchers(role, data)
        for name in LINK_KINDS:
            self.links(name, data)
        if "CustomFields" in data:
            self.custom_fields(data["CustomFields"])
        if "Status" in data:
            self.status(data["Status"])
        if "MergeInto" in data:
            self.merge(data["MergeInto"])
        return self.messages

    def queue(self, value: Any) -> None:
        target = inputs.queue(value)
        if target.pk == self.ticket.queue_id:
            return
        old_name = self.ticket.queue.name
        for txn in services.move_ticket(
            ticket=self.ticket, queue=target, actor=self.actor
        ):
            if txn.field == "Queue":
                self.say(f"Queue changed from {old_name} to {target.name}")
            else:
                self.describe(txn)

    def fields(self, data: dict[str, Any]) -> None:
        changes: dict[str, Any] = {}
        if "Subject" in data:
            changes["subject"] = inputs.text("Subject", data["Subject"])
        for name, attr in INT_FIELDS.items():
            if name in data:
                changes[attr] = inputs.integer(name, data[name])
        for name, attr in DATE_FIELDS.items():
            if name in data:
                changes[attr] = inputs.date(name, data[name], self.actor)
        if changes:
            for txn in services.set_fields(
                ticket=self.ticket, actor=self.actor, **changes
            ):
                self.describe(txn)

    def owner(self, value: Any) -> None:
        owner = (
            nobody() if value in (None, "", "Nobody") else inputs.user("Owner", value)
        )
        if owner.pk == self.ticket.owner_id:
            return
        old = self.ticket.owner
        services.give(ticket=self.ticket, owner=owner, actor=self.actor)
        self.say(f"Owner changed from {old.username} to {owner.username}")

    def status(self, value: Any) -> None:
        status = inputs.text("Status", value, allow_empty=False).strip().lower()
        if status == self.ticket.status:
            return
        self.describe(
            services.set_status(ticket=self.ticket, status=status, actor=self.actor)
        )

    def merge(self, value: Any) -> None:
        target = inputs.identifier("MergeInto", value)
        services.merge_tickets(source=self.ticket, target=target, actor=self.actor)
        self.say(f"Merged into ticket #{target}")

    # --- watchers ----------------------------------------------------------------------

    def watchers(self, role: str, data: dict[str, Any]) -> None:
        if not {role, f"Add{role}", f"Delete{role}"} & data.keys():
            return  # nothing asked for this role: no need to read its watchers
        current = {
            self._principal_key(w.user or w.group): (w.user or w.group)
            for w in TicketWatcher.objects.filter(
                ticket=self.ticket, role=role
            ).select_related("user", "group")
        }
        to_add: list[str] = []
        to_remove: list[Any] = []
        if role in data:
            wanted = {}
            for name in inputs.string_list(role, data[role]):
                principal = resolve_principal(name)
                wanted[self._principal_key(principal)] = principal
            to_add = [p for key, p in wanted.items() if key not in current]
            to_remove = [p for key, p in current.items() if key not in wanted]
        for name in inputs.string_list(f"Add{role}", data.get(f"Add{role}")):
            principal = resolve_principal(name)
            if self._principal_key(principal) not in current:
                to_add.append(principal)
        for name in inputs.string_list(f"Delete{role}", data.get(f"Delete{role}")):
            to_remove.append(resolve_principal(name, create=False))
        for principal in to_remove:
            services.remove_watcher(
                ticket=self.ticket, role=role, principal=principal, actor=self.actor
            )
            self.say(f"{principal} is no longer {role} for this ticket")
        for principal in to_add:
            services.add_watcher(
                ticket=self.ticket, role=role, principal=principal, actor=self.actor
            )
            self.say(f"Added {principal} as {role} for this ticket")

    @staticmethod
    def _principal_key(principal: User | Group) -> tuple[str, int]:
        return ("user" if isinstance(principal, User) else "group", principal.pk)

    # --- links -------------------------------------------------------------------------

    def links(self, name: str, data: dict[str, Any]) -> None:
        kind = LINK_KINDS[name]
        to_add: list[str] = []
        to_remove: list[str] = []
        if name in data:
            current = self._current_links(kind)
            wanted = inputs.string_list(name, data[name])
            to_add = [w for w in wanted if w not in current]
            to_remove = [c for c in current if c not in wanted]
        to_add += inputs.string_list(f"Add{name}", data.get(f"Add{name}"))
        to_remove += inputs.string_list(f"Delete{name}", data.get(f"Delete{name}"))
        for other in (*to_add, *to_remove):
            link_target(name, other)
        for other in to_remove:
            services.remove_link(
                ticket=self.ticket, kind=kind, other=other, actor=self.actor
            )
            self.say(f"{kind} {other} deleted")
        for other in to_add:
            services.add_link(
                ticket=self.ticket, kind=kind, other=other, actor=self.actor
            )
            self.say(f"{kind} {other} added")

    def _current_links(self, kind: str) -> list[str]:
        link_type = {
            "DependsOn": LinkType.DEPENDS_ON,
            "DependedOnBy": LinkType.DEPENDS_ON,
            "MemberOf": LinkType.MEMBER_OF,
            "HasMember": LinkType.MEMBER_OF,
            "RefersTo": LinkType.REFERS_TO,
            "ReferredToBy": LinkType.REFERS_TO,
        }[kind]
        if kind in ("DependsOn", "MemberOf", "RefersTo"):
            rows = Link.objects.filter(base=self.ticket, type=link_type)
            return [str(r.target_id) if r.target_id else r.target_uri for r in rows]
        rows = Link.objects.filter(target=self.ticket, type=link_type)
        return [str(r.base_id) for r in rows]

    # --- custom fields -----------------------------------------------------------------

    def custom_fields(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ValidationFailed("CustomFields must be an object of name: value(s).")
        for key, raw in value.items():
            field: str | int = int(key) if str(key).isdigit() else str(key)
            values = custom_field_values(str(key), raw)
            for txn in services.set_custom_field(
                ticket=self.ticket, field=field, values=values, actor=self.actor
            ):
                self.describe(txn)

    # --- messages ----------------------------------------------------------------------

    def describe(self, txn: Transaction) -> None:
        self.say(describe_change(txn))


def describe_change(txn: Transaction) -> str:
    """A one-line, RT-like description of a field, status or custom field change."""
    old, new = txn.old_value, txn.new_value
    if txn.type == "CustomField":
        name = (
            CustomField.objects.filter(pk=int(txn.field))
            .values_list("name", flat=True)
            .first()
            if txn.field.isdigit()
            else txn.field
        ) or txn.field
        if old and new:
            return f"{name} {_shown(old)} changed to {_shown(new)}"
        if new:
            return f"{name} {new} added"
        return f"{name} {old} is no longer a value for custom field {name}"
    if txn.field == "Owner":
        names = dict(
            User.objects.filter(
                pk__in=[v for v in (old, new) if v.isdigit()]
            ).values_list("pk", "username")
        )
        return (
            f"Owner changed from {names.get(int(old), old) if old.isdigit() else old} "
            f"to {names.get(int(new), new) if new.isdigit() else new}"
        )
    return f"{txn.field} changed from {_shown(old)} to {_shown(new)}"


MAX_URI = 500


def link_target(name: str, value: str) -> None:
    """A ticket number in range, or a URI that fits the link table."""
    if value.isdigit():
        inputs.identifier(name, value)
    elif len(value) > MAX_URI:
        raise ValidationFailed(f"{name}: a URI may be at most {MAX_URI} characters.")


def custom_field_values(name: str, raw: Any) -> list[str]:
    """One value (which may itself contain commas) or a list of values."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str | int | float) and not isinstance(raw, bool):
        return [str(raw)]
    if isinstance(raw, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in raw
    ):
        return [str(v) for v in raw]
    raise ValidationFailed(f"Custom field '{name}' takes a value or a list of values.")
