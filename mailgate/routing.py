"""Pure routing decisions: which actions, which queue, which ticket. No ORM.

Order for finding the ticket a message belongs to: an explicit ticket number (the
`ticket` parameter or a `+123` address extension), then a subject tag of ours (the
tracker's name or a queue's own tag), then In-Reply-To / References naming one of our
Message-IDs. Anything else opens a new ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailgate.delivery import (  # noqa: F401 - re-exported, pure and Django-free
    _TICKET_NUMBER,
    ACTIONS,
    COMMENT,
    CORRESPOND,
    EXTENSION_MODES,
    MESSAGE_ACTIONS,
    RESOLVE,
    TAKE,
    Delivery,
    RouteError,
    apply_extension,
    parse_actions,
    parse_ticket_number,
)
from mailgate.parsing import ParsedEmail
from tracker.mail import ticket_id_from_message_id, ticket_id_from_subject


@dataclass(frozen=True)
class Match:
    ticket_id: int | None
    how: str  # "explicit", "subject", "references" or "new"


def find_ticket(
    parsed: ParsedEmail,
    *,
    explicit: int | None,
    tags: Iterable[str],
    domain: str,
) -> Match:
    if explicit is not None:
        return Match(explicit, "explicit")
    number = ticket_id_from_subject(parsed.subject, list(tags))
    if number is not None:
        return Match(number, "subject")
    if domain:
        for header in (parsed.in_reply_to, parsed.references):
            number = ticket_id_from_message_id(" ".join(header), domain)
            if number is not None:
                return Match(number, "references")
    return Match(None, "new")


@dataclass(frozen=True)
class QueueAddresses:
    queue: str
    correspond: str
    comment: str


def route_recipient(
    recipient: str, queues: Sequence[QueueAddresses]
) -> Delivery | None:
    """Map an envelope recipient to a delivery by the queues' addresses.

    `support@x` -> correspond; `support-comment@x` style addresses are matched as
    configured; a `+extension` is a ticket number when numeric, else an action.
    """
    local, _, domain = (recipient or "").strip().strip("<>").rpartition("@")
    if not local:
        return None
    base, _, extension = local.partition("+")
    address = f"{base}@{domain}".lower()
    for queue in queues:
        for configured, action in (
            (queue.correspond, CORRESPOND),
            (queue.comment, COMMENT),
        ):
            if configured and configured.lower() == address:
                ticket = None
                if extension and _TICKET_NUMBER.match(extension):
                    ticket = int(_TICKET_NUMBER.match(extension).group(1))
                elif extension:
                    words = extension.lower().split("-")
                    wanted = (
                        extension
                        if any(w in MESSAGE_ACTIONS for w in words)
                        else f"{action}-{extension}"
                    )
                    try:
                        return Delivery(queue.queue, parse_actions(wanted))
                    except RouteError:
                        return None
                return Delivery(queue.queue, (action,), ticket)
    return None


# Monitoring alerts: the stock Nagios / Icinga 1 and Icinga 2 notification subjects.
_KINDS = (
    "PROBLEM|RECOVERY|ACKNOWLEDGEMENT|FLAPPINGSTART|FLAPPINGSTOP|FLAPPINGDISABLED"
    "|DOWNTIMESTART|DOWNTIMEEND|DOWNTIMECANCELLED|CUSTOM"
)
ALERT_PATTERNS = (
    # ** PROBLEM Service Alert: web1/HTTP is CRITICAL **   (key "web1/http")
    rf"\*\*\s*(?P<kind>{_KINDS})\s+(?:Service|Host)\s+Alert:\s*(?P<key>\S.*?)\s+is\s+\w+\s*\*\*",
    # [PROBLEM] HTTP on web1 is CRITICAL!   /   [RECOVERY] Host web1 is UP!
    rf"\[(?P<kind>{_KINDS})\]\s+(?:Host\s+)?(?P<key>\S.*?)\s+is\s+\w+!?\s*$",
)
PROBLEM = "PROBLEM"
RECOVERY = "RECOVERY"


@dataclass(frozen=True)
class Alert:
    kind: str  # PROBLEM, RECOVERY, ACKNOWLEDGEMENT, ...
    key: str  # host, or host + service


def alert_from_subject(
    subject: str, patterns: Sequence[str] = ALERT_PATTERNS
) -> Alert | None:
    """The alert a monitoring mail's subject announces, or None. A pattern needs the
    named groups `kind` and `key`."""
    for pattern in patterns:
        try:
            match = re.search(pattern, subject or "")
        except re.error:
            continue
        if match:
            key = " ".join(match.group("key").split()).lower()
            return Alert(kind=match.group("kind").upper(), key=key[:200])
    return None
