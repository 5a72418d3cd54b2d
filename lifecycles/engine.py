"""Lifecycles as plain data: statuses, their categories, transitions and the rights they need.

Pure Python on purpose (no Django imports): the rules are tested without a database, and the
same object answers the web UI, the mail gateway and scrips. The dict form accepted by
`Lifecycle.from_definition` is what the `lifecycles.Lifecycle` model stores as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

# The key of `transitions` that lists the statuses a ticket may be created with.
CREATE_KEY = ""
WILDCARD = "*"
ARROW = "->"
MAX_STATUS_LENGTH = 64
KNOWN_TYPES = ("ticket",)
DEFAULT_KEYS = (
    "on_create",
    "approved",
    "denied",
    "reminder_on_open",
    "reminder_on_resolve",
    "on_merge",
)
DEFINITION_KEYS = (
    "type",
    "initial",
    "active",
    "inactive",
    "transitions",
    "rights",
    "actions",
    "defaults",
)
CATEGORY_KEYS = ("initial", "active", "inactive")

# Used when no rights pattern matches a change.
DELETED = "deleted"
DELETE_TICKET = "DeleteTicket"
MODIFY_TICKET = "ModifyTicket"


class LifecycleError(ValueError):
    """A definition or a status is not valid; `errors` lists every problem found."""

    def __init__(self, errors: str | Iterable[str]) -> None:
        self.errors: list[str] = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


class StatusCategory(StrEnum):
    INITIAL = "initial"
    ACTIVE = "active"
    INACTIVE = "inactive"


class UpdateType(StrEnum):
    """What the UI offers alongside an action: a reply, a comment, or nothing."""

    RESPOND = "respond"
    COMMENT = "comment"
    NONE = ""


@dataclass(frozen=True)
class Action:
    """A labelled status change offered in the UI; `from_pattern` may be "*"."""

    from_pattern: str
    to_status: str
    label: str
    update: UpdateType = UpdateType.NONE

    def matches(self, status: str) -> bool:
        return self.from_pattern in (WILDCARD, status)


def parse_pattern(pattern: object) -> tuple[str, str] | None:
    """Split "A -> B" into ("A", "B"); None when it does not have that shape."""
    if not isinstance(pattern, str) or pattern.count(ARROW) != 1:
        return None
    old, new = (part.strip() for part in pattern.split(ARROW))
    if not old or not new:
        return None
    return old, new


def map_status(mapping: Mapping[str, str], status: str) -> str | None:
    """The status `status` becomes under a lifecycle map, or None if the map omits it."""
    return mapping.get(status)


@dataclass(frozen=True)
class Lifecycle:
    """One validated lifecycle. Build it with `from_definition`; direct construction trusts its input."""

    name: str
    initial: tuple[str, ...]
    active: tuple[str, ...]
    inactive: tuple[str, ...]
    transitions: Mapping[str, tuple[str, ...]]
    rights: tuple[tuple[str, str], ...] = ()
    actions: tuple[Action, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    type: str = "ticket"
    # Lookup tables derived from the fields above.
    _categories: Mapping[str, StatusCategory] = field(
        init=False, repr=False, compare=False
    )
    _rights_by_pair: Mapping[tuple[str, str], str] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Freeze the containers so a shared, cached Lifecycle cannot be changed by a caller.
        set_ = object.__setattr__
        set_(self, "initial", tuple(self.initial))
        set_(self, "active", tuple(self.active))
        set_(self, "inactive", tuple(self.inactive))
        set_(
            self,
            "transitions",
            MappingProxyType({k: tuple(v) for k, v in self.transitions.items()}),
        )
        set_(self, "rights", tuple((p, r) for p, r in self.rights))
        set_(self, "actions", tuple(self.actions))
        set_(self, "defaults", MappingProxyType(dict(self.defaults)))
        categories: dict[str, StatusCategory] = {}
        for category, statuses in zip(
            StatusCategory, (self.initial, self.active, self.inactive), strict=True
        ):
            categories.update(dict.fromkeys(statuses, category))
        set_(self, "_categories", MappingProxyType(categories))
        by_pair: dict[tuple[str, str], str] = {}
        for pattern, right in self.rights:
            pair = parse_pattern(pattern)
            if pair is not None:
                by_pair.setdefault(pair, right)  # the first listing of a pattern wins
        set_(self, "_rights_by_pair", MappingProxyType(by_pair))

    def __hash__(self) -> int:
        return hash((self.name, self.statuses))

    def __reduce__(self) -> tuple[type[Lifecycle], tuple[Any, ...]]:
        # Mapping proxies cannot be pickled or deep-copied; rebuild from plain dicts instead.
        return type(self), (
            self.name,
            self.initial,
            self.active,
            self.inactive,
            dict(self.transitions),
            self.rights,
            self.actions,
            dict(self.defaults),
            self.type,
        )

    @classmethod
    def from_definition(cls, name: str, definition: Mapping[str, Any]) -> Lifecycle:
        """Build from the JSON-able dict form; raise LifecycleError listing every problem."""
        errors = validate_definition(definition)
        if errors:
            raise LifecycleError([f"lifecycle '{name}': {e}" for e in errors])
        return cls(
            name=name,
            type=definition.get("type", "ticket"),
            initial=tuple(definition.get("initial", ())),
            active=tuple(definition.get("active", ())),
            inactive=tuple(definition.get("inactive", ())),
            transitions={
                key: tuple(targets)
                for key, targets in definition.get("transitions", {}).items()
            },
            rights=tuple(
                (_canonical_pattern(pattern), right)
                for pattern, right in definition.get("rights", ())
            ),
            actions=tuple(_action(a) for a in definition.get("actions", ())),
            defaults=dict(definition.get("defaults", {})),
        )

    def to_definition(self) -> dict[str, Any]:
        """The JSON-able dict form, the inverse of `from_definition`."""
        return {
            "type": self.type,
            "initial": list(self.initial),
            "active": list(self.active),
            "inactive": list(self.inactive),
            "defaults": dict(self.defaults),
            "transitions": {k: list(v) for k, v in self.transitions.items()},
            "rights": [[p, r] for p, r in self.rights],
            "actions": [
                {
                    "from": a.from_pattern,
                    "to": a.to_status,
                    "label": a.label,
                    "update": str(a.update),
                }
                for a in self.actions
            ],
        }

    # Statuses and categories

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.initial + self.active + self.inactive

    def is_valid(self, status: str) -> bool:
        return status in self._categories

    def category(self, status: str) -> StatusCategory:
        try:
            return self._categories[status]
        except KeyError:
            raise LifecycleError(
                f"'{status}' isn't a valid status in lifecycle '{self.name}'"
            ) from None

    def is_initial(self, status: str) -> bool:
        return self._categories.get(status) is StatusCategory.INITIAL

    def is_active(self, status: str) -> bool:
        return self._categories.get(status) is StatusCategory.ACTIVE

    def is_inactive(self, status: str) -> bool:
        return self._categories.get(status) is StatusCategory.INACTIVE

    # Creation

    def creatable_statuses(self) -> tuple[str, ...]:
        # Without an explicit creation list, tickets may start in any initial status.
        return self.transitions.get(CREATE_KEY) or self.initial

    def default_create_status(self) -> str:
        return self.defaults.get("on_create") or self.creatable_statuses()[0]

    # Transitions and rights

    def next_statuses(self, old: str) -> tuple[str, ...]:
        if not self.is_valid(old):
            return ()
        return self.transitions.get(old, ())

    def can_transition(self, old: str, new: str) -> bool:
        return old != new and new in self.next_statuses(old)

    def required_right(self, old: str, new: str) -> str:
        """The right needed to move from `old` to `new`, most specific pattern first."""
        for pair in (
            (old, new),
            (WILDCARD, new),
            (old, WILDCARD),
            (WILDCARD, WILDCARD),
        ):
            right = self._rights_by_pair.get(pair)
            if right is not None:
                return right
        return DELETE_TICKET if new == DELETED else MODIFY_TICKET

    def declared_rights(self) -> frozenset[str]:
        return frozenset(right for _, right in self.rights)

    def actions_for(self, status: str) -> tuple[Action, ...]:
        return tuple(
            a
            for a in self.actions
            if a.matches(status) and self.can_transition(status, a.to_status)
        )

    # Automatic moves

    def first_active_status(self) -> str | None:
        return self.active[0] if self.active else None

    def reopen_status(self, old: str) -> str | None:
        """Where an inactive ticket goes when correspondence arrives ("Open Inactive Tickets")."""
        if not self.is_inactive(old):
            return None
        return self._first_active_target(old)

    def open_status(self, old: str) -> str | None:
        """Where a ticket still in an initial status goes when it is opened."""
        if not self.is_initial(old):
            return None
        return self._first_active_target(old)

    def _first_active_target(self, old: str) -> str | None:
        return next((s for s in self.next_statuses(old) if self.is_active(s)), None)


def _canonical_pattern(pattern: str) -> str:
    pair = parse_pattern(pattern)
    assert pair is not None  # validated before this is called
    return f"{pair[0]} {ARROW} {pair[1]}"


def _action(data: Mapping[str, Any]) -> Action:
    return Action(
        from_pattern=data["from"].strip(),
        to_status=data["to"].strip(),
        label=data["label"].strip(),
        update=UpdateType((data.get("update") or "").lower()),
    )


# Validation


def validate_definition(definition: Mapping[str, Any]) -> list[str]:
    """Every problem with a lifecycle's dict form, as readable messages; [] when valid."""
    if not isinstance(definition, Mapping):
        return ["a lifecycle definition must be an object"]
    errors: list[str] = []
    unknown_keys = sorted(set(definition) - set(DEFINITION_KEYS))
    if unknown_keys:
        errors.append(f"unknown key(s) {_names(unknown_keys)}")
    kind = definition.get("type", "ticket")
    if kind not in KNOWN_TYPES:
        errors.append(f"type '{kind}' is not one of {_names(KNOWN_TYPES)}")

    statuses = _check_statuses(definition, errors)
    known = set(statuses)
    transitions = _check_transitions(definition.get("transitions", {}), known, errors)
    creatable = transitions.get(CREATE_KEY) or [
        s for s in _as_list(definition.get("initial")) if s in known
    ]
    if not creatable:
        errors.append(
            "no status is allowed at creation: list an initial status"
            " or give the creation transition ('') some statuses"
        )
    _check_rights(definition.get("rights", []), known, errors)
    _check_actions(definition.get("actions", []), known, transitions, errors)
    _check_defaults(definition.get("defaults"), known, creatable, errors)
    _check_reachable(statuses, creatable, transitions, errors)
    return errors


def validate_map(
    mapping: object, source: Iterable[str], target: Iterable[str]
) -> list[str]:
    """Problems with a status map: it must cover every source status with a target status."""
    if not isinstance(mapping, Mapping):
        return ["a status map must be an object of source status -> target status"]
    source, target = list(source), set(target)
    errors = [f"source status '{s}' is not mapped" for s in source if s not in mapping]
    errors += [
        f"'{s}' is not a status of the source lifecycle"
        for s in mapping
        if s not in source
    ]
    errors += [
        f"'{s}' maps to unknown target status '{t}'"
        for s, t in mapping.items()
        if t not in target
    ]
    return errors


def _check_statuses(definition: Mapping[str, Any], errors: list[str]) -> list[str]:
    """Return every well-formed status, in order, reporting bad and duplicated ones."""
    seen: dict[str, str] = {}
    for key in CATEGORY_KEYS:
        value = definition.get(key, [])
        if not isinstance(value, list):
            errors.append(f"'{key}' must be a list of statuses")
            continue
        for status in value:
            problem = _status_problem(status)
            if problem:
                errors.append(f"{key} status {status!r} {problem}")
            elif status in seen:
                where = (
                    "twice in" if seen[status] == key else f"in '{seen[status]}' and"
                )
                errors.append(f"status '{status}' is listed {where} '{key}'")
            else:
                seen[status] = key
    if not seen:
        errors.append("the lifecycle has no statuses")
    return list(seen)


def _status_problem(status: object) -> str | None:
    if not isinstance(status, str):
        return "must be a string"
    if not status:
        return "is empty"
    if len(status) > MAX_STATUS_LENGTH:
        return f"is longer than {MAX_STATUS_LENGTH} characters"
    if not status.isascii() or not status.isprintable():
        return "must use printable ASCII characters only"
    if status != status.lower():
        return "must be lowercase"
    if status != status.strip():
        return "must not start or end with a space"
    if WILDCARD in status or ARROW in status:
        return f"must not contain '{WILDCARD}' or '{ARROW}'"
    return None


def _check_transitions(
    raw: object, known: set[str], errors: list[str]
) -> dict[str, list[str]]:
    """Return the well-formed part of `transitions`, reporting the rest."""
    if not isinstance(raw, Mapping):
        errors.append("'transitions' must be an object of status -> list of statuses")
        return {}
    result: dict[str, list[str]] = {}
    for source, targets in raw.items():
        where = "creation" if source == CREATE_KEY else f"'{source}'"
        if source != CREATE_KEY and source not in known:
            errors.append(f"transitions list unknown source status '{source}'")
            continue
        if not isinstance(targets, list):
            errors.append(f"transitions from {where} must be a list of statuses")
            continue
        result[source] = []
        for target in targets:
            if target not in known:
                label = "at creation" if source == CREATE_KEY else f"from '{source}'"
                errors.append(f"transition {label} names unknown status '{target}'")
            elif target == source:
                errors.append(f"transition from '{source}' goes to itself")
            elif target in result[source]:
                errors.append(f"transitions from {where} list '{target}' twice")
            else:
                result[source].append(target)
    return result


def _check_pattern(
    pattern: object, what: str, known: set[str], errors: list[str]
) -> tuple[str, str] | None:
    pair = parse_pattern(pattern)
    if pair is None:
        errors.append(f"{what} pattern {pattern!r} must look like 'A -> B'")
        return None
    bad = [s for s in pair if s != WILDCARD and s not in known]
    for status in dict.fromkeys(bad):
        errors.append(f"{what} pattern '{pattern}' names unknown status '{status}'")
    return None if bad else pair


def _check_rights(raw: object, known: set[str], errors: list[str]) -> None:
    if not isinstance(raw, list):
        errors.append("'rights' must be a list of [pattern, right] pairs")
        return
    seen: set[tuple[str, str]] = set()
    for entry in raw:
        if not (isinstance(entry, list | tuple) and len(entry) == 2):
            errors.append(f"rights entry {entry!r} must be a [pattern, right] pair")
            continue
        pattern, right = entry
        pair = _check_pattern(pattern, "rights", known, errors)
        if not isinstance(right, str) or not right.strip() or " " in right.strip():
            errors.append(
                f"rights pattern {pattern!r} needs a right name without spaces"
            )
        if pair in seen:
            errors.append(f"rights pattern '{pattern}' is listed more than once")
        if pair is not None:
            seen.add(pair)


def _check_actions(
    raw: object,
    known: set[str],
    transitions: Mapping[str, list[str]],
    errors: list[str],
) -> None:
    if not isinstance(raw, list):
        errors.append("'actions' must be a list of objects")
        return
    for index, action in enumerate(raw, start=1):
        if not isinstance(action, Mapping) or not all(
            isinstance(action.get(k), str) for k in ("from", "to", "label")
        ):
            errors.append(
                f"action #{index} must be an object with 'from', 'to' and 'label' strings"
            )
            continue
        label, old, new = (action[k].strip() for k in ("label", "from", "to"))
        name = f"action '{label}'" if label else f"action #{index}"
        if not label:
            errors.append(f"{name} ({old} -> {new}) has an empty label")
        update = action.get("update") or ""
        if not isinstance(update, str) or update.lower() not in {
            u.value for u in UpdateType
        }:
            errors.append(
                f"{name} has update {update!r}; use 'respond', 'comment' or leave it empty"
            )
        if not _check_pattern(f"{old} {ARROW} {new}", name, known, errors):
            continue
        if new == WILDCARD:
            errors.append(f"{name} must go to a named status, not '*'")
            continue
        sources = known if old == WILDCARD else {old}
        if not any(new in transitions.get(s, ()) for s in sources):
            errors.append(f"{name} ({old} -> {new}) is not an allowed transition")


def _check_defaults(
    raw: object, known: set[str], creatable: list[str], errors: list[str]
) -> None:
    if not isinstance(raw, Mapping):
        errors.append("'defaults' must be an object and set 'on_create'")
        return
    for key, status in raw.items():
        if key not in DEFAULT_KEYS:
            errors.append(f"unknown default '{key}' (known: {_names(DEFAULT_KEYS)})")
        elif status not in known:
            errors.append(f"default {key} names unknown status {status!r}")
    on_create = raw.get("on_create")
    if on_create is None:
        errors.append("defaults must set 'on_create'")
    elif on_create in known and on_create not in creatable:
        errors.append(
            f"default on_create '{on_create}' is not a status allowed at creation"
            f" (allowed: {_names(creatable)})"
        )


def _check_reachable(
    statuses: list[str],
    creatable: list[str],
    transitions: Mapping[str, list[str]],
    errors: list[str],
) -> None:
    if not creatable:
        return  # already reported; every status would be "unreachable"
    reached = set(creatable)
    frontier = list(creatable)
    while frontier:
        for target in transitions.get(frontier.pop(), ()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    for status in statuses:
        if status not in reached:
            errors.append(
                f"status '{status}' cannot be reached from the creation statuses"
            )


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _names(items: Iterable[object]) -> str:
    return ", ".join(f"'{i}'" for i in items)
