"""Scrip conditions: registered classes, chosen by name on a Scrip (no code in the database)."""

from __future__ import annotations

from typing import ClassVar

from lifecycles import registry as lifecycles
from tracker.models import (
    CustomField,
    Link,
    LinkType,
    Ticket,
    Transaction,
    TransactionType,
)

CONDITIONS: dict[str, type[Condition]] = {}


def register(cls: type[Condition]) -> type[Condition]:
    CONDITIONS[cls.name] = cls
    return cls


def get_condition(name: str) -> Condition:
    try:
        return CONDITIONS[name]()
    except KeyError:
        raise LookupError(f"There is no scrip condition called '{name}'.") from None


def condition_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(CONDITIONS)]


class Condition:
    """Decides whether a scrip applies to one transaction on a ticket."""

    name: ClassVar[str] = ""
    # Transaction types the condition can match; None means any.
    types: ClassVar[frozenset[str] | None] = None

    def is_applicable(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        if self.types is not None and txn.type not in self.types:
            return False
        return self.check(txn, ticket, argument)

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return True

    def targets(self, txn: Transaction, ticket: Ticket, argument: str) -> list[Ticket]:
        """The tickets the action runs on: the transaction's own ticket, except for
        conditions about other tickets (On Close of Dependencies)."""
        return [ticket]


def _type_condition(name: str, txn_type: TransactionType) -> type[Condition]:
    return type(
        name.replace(" ", ""),
        (Condition,),
        {"name": name, "types": frozenset({txn_type})},
    )


OnCreate = register(_type_condition("On Create", TransactionType.CREATE))
OnCorrespond = register(_type_condition("On Correspond", TransactionType.CORRESPOND))
OnComment = register(_type_condition("On Comment", TransactionType.COMMENT))


@register
class OnTransaction(Condition):
    name = "On Transaction"


def _is_status_change(txn: Transaction) -> bool:
    return txn.type == TransactionType.STATUS or (
        txn.type == TransactionType.SET and txn.field == "Status"
    )


def _matches(status: str, wanted: set[str], ticket: Ticket) -> bool:
    """A status matches a name, or one of the categories initial/active/inactive."""
    if status in wanted:
        return True
    lifecycle = lifecycles.get_lifecycle(ticket.queue.lifecycle.name)
    return any(
        category in wanted and lifecycle.is_valid(status) and check(status)
        for category, check in (
            ("initial", lifecycle.is_initial),
            ("active", lifecycle.is_active),
            ("inactive", lifecycle.is_inactive),
        )
    )


def parse_status_argument(argument: str) -> tuple[set[str], set[str]]:
    """'' = any change; 'resolved' = to resolved; 'old: a, b; new: c' = from/to sets."""
    old: set[str] = set()
    new: set[str] = set()
    text = argument.strip().lower()
    if not text:
        return old, new
    if ":" not in text:
        return old, {s.strip() for s in text.split(",") if s.strip()}
    for part in text.split(";"):
        key, _, values = part.partition(":")
        names = {s.strip() for s in values.split(",") if s.strip()}
        if key.strip() == "old":
            old |= names
        elif key.strip() == "new":
            new |= names
    return old, new


@register
class OnStatusChange(Condition):
    """Argument: empty, a target status, or `old: a, b; new: c, d` (categories allowed)."""

    name = "On Status Change"
    types = frozenset({TransactionType.STATUS, TransactionType.SET})

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        if not _is_status_change(txn):
            return False
        old, new = parse_status_argument(argument)
        if old and not _matches(txn.old_value, old, ticket):
            return False
        return not new or _matches(txn.new_value, new, ticket)


@register
class OnResolve(OnStatusChange):
    name = "On Resolve"

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return super().check(txn, ticket, "resolved")


@register
class OnReject(OnStatusChange):
    name = "On Reject"

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return super().check(txn, ticket, "rejected")


@register
class OnClose(OnStatusChange):
    """The ticket moves from a non-inactive status into an inactive one."""

    name = "On Close"

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return super().check(txn, ticket, "old: initial, active; new: inactive")


@register
class OnReopen(OnStatusChange):
    """The ticket leaves an inactive status."""

    name = "On Reopen"

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return super().check(txn, ticket, "old: inactive; new: initial, active")


def _field_condition(name: str, field: str) -> type[Condition]:
    def check(self: Condition, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return txn.field == field

    return type(
        name.replace(" ", ""),
        (Condition,),
        {"name": name, "types": frozenset({TransactionType.SET}), "check": check},
    )


OnOwnerChange = register(_field_condition("On Owner Change", "Owner"))
OnPriorityChange = register(_field_condition("On Priority Change", "Priority"))
OnQueueChange = register(_field_condition("On Queue Change", "Queue"))


@register
class OnCustomFieldChange(Condition):
    """Argument: a custom field name, or empty for any custom field."""

    name = "On Custom Field Change"
    types = frozenset({TransactionType.CUSTOM_FIELD})

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        wanted = argument.strip().lower()
        if not wanted:
            return True
        if wanted == txn.field:
            return True
        names = CustomField.objects.filter(pk=int(txn.field or 0)).values_list(
            "name", flat=True
        )
        return any(name.lower() == wanted for name in names)


@register
class RequireDueSetAccordingToSLA(Condition):
    """A change that can move an SLA deadline: a new ticket, a message, a reopening,
    a move to another queue or a new Starts date."""

    name = "Require Due Set According to SLA"
    types = frozenset(
        {
            TransactionType.CREATE,
            TransactionType.CORRESPOND,
            TransactionType.STATUS,
            TransactionType.SET,
        }
    )

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        if txn.type == TransactionType.SET:
            return txn.field in ("Queue", "Starts")
        if txn.type == TransactionType.STATUS:
            return OnReopen().check(txn, ticket, argument)
        return True


@register
class OnCloseOfDependencies(OnClose):
    """A ticket others depend on is closed: the action runs on each ticket that
    depends on it and now has every dependency closed. Argument `any`: on each
    dependent ticket, whether or not other dependencies are still open."""

    name = "On Close of Dependencies"

    def check(self, txn: Transaction, ticket: Ticket, argument: str) -> bool:
        return super().check(txn, ticket, argument) and bool(
            self.targets(txn, ticket, argument)
        )

    def targets(self, txn: Transaction, ticket: Ticket, argument: str) -> list[Ticket]:
        from tracker.services.status import unresolved_dependencies

        dependents = Ticket.objects.filter(
            pk__in=Link.objects.filter(type=LinkType.DEPENDS_ON, target=ticket).values(
                "base_id"
            ),
            merged_into__isnull=True,
        ).select_related("queue__lifecycle", "owner")
        if argument.strip().lower() == "any":
            return list(dependents.order_by("pk"))
        return [t for t in dependents.order_by("pk") if not unresolved_dependencies(t)]


__all__: list[str] = [
    "CONDITIONS",
    "Condition",
    "condition_choices",
    "get_condition",
    "parse_status_argument",
    "register",
]
