"""What the mail server asked for: queue, actions and ticket, after RT's --extension
rule. Standard library only, so the Django-free `mailgate --url` client and the spool
path (mailgate.fastpath) can use it without importing Django or the tracker."""

from __future__ import annotations

import re
from dataclasses import dataclass

CORRESPOND = "correspond"
COMMENT = "comment"
TAKE = "take"
RESOLVE = "resolve"
ACTIONS = (CORRESPOND, COMMENT, TAKE, RESOLVE)
MESSAGE_ACTIONS = (CORRESPOND, COMMENT)
EXTENSION_MODES = ("queue", "action", "ticket")

_TICKET_NUMBER = re.compile(r"^\s*#?(\d{1,18})\s*$")


class RouteError(ValueError):
    """A routing request that cannot be honoured (bad action list, bad extension)."""


@dataclass(frozen=True)
class Delivery:
    """What the mail server asked for: the queue name, actions and optional ticket."""

    queue: str
    actions: tuple[str, ...]
    ticket_id: int | None = None


def parse_actions(value: str) -> tuple[str, ...]:
    """'correspond-resolve' -> ('correspond', 'resolve'), as RT's --action takes them.

    Exactly one of correspond/comment is needed; take and resolve only add to it.
    """
    actions = tuple(a.strip().lower() for a in (value or "").split("-") if a.strip())
    unknown = [a for a in actions if a not in ACTIONS]
    if not actions or unknown:
        raise RouteError(f"unknown action '{value}'")
    message = [a for a in actions if a in MESSAGE_ACTIONS]
    if len(message) > 1:
        raise RouteError(f"action '{value}' names both correspond and comment")
    if not message:
        actions = (CORRESPOND, *actions)
    if len(set(actions)) != len(actions):
        raise RouteError(f"action '{value}' repeats itself")
    return actions


def parse_ticket_number(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    match = _TICKET_NUMBER.match(str(value))
    if not match:
        raise RouteError(f"'{value}' is not a ticket number")
    return int(match.group(1))


def apply_extension(
    *, queue: str, action: str, ticket: str | None, mode: str | None, extension: str
) -> Delivery:
    """The delivery after RT's `--extension queue|action|ticket` rule: the part of the
    recipient address after '+' replaces that one value."""
    extension = (extension or "").strip()
    if mode and mode not in EXTENSION_MODES:
        raise RouteError(f"--extension must be one of {', '.join(EXTENSION_MODES)}")
    if mode == "queue" and extension:
        queue = extension
    elif mode == "action" and extension:
        action = extension
    elif mode == "ticket" and extension:
        ticket = extension
    return Delivery(
        queue=queue.strip(),
        actions=parse_actions(action),
        ticket_id=parse_ticket_number(ticket),
    )
