"""Link conditions: `DependsOn = 12`, `MemberOf IS NULL`, `RefersTo = 'https://…'`."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q

from tracker.models import Link, LinkType
from tracker.ticketsql.common import (
    NOTHING,
    NULL_OPERATORS,
    Context,
    check_operator,
    is_negative,
    literal,
)
from tracker.ticketsql.nodes import Condition

_ANY = (LinkType.DEPENDS_ON, LinkType.MEMBER_OF, LinkType.REFERS_TO)
# field -> (link types, this ticket is the base ("out"), the target ("in") or either)
LINK_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "dependson": ((LinkType.DEPENDS_ON,), "out"),
    "dependedonby": ((LinkType.DEPENDS_ON,), "in"),
    "dependenton": ((LinkType.DEPENDS_ON,), "in"),
    "memberof": ((LinkType.MEMBER_OF,), "out"),
    "hasmember": ((LinkType.MEMBER_OF,), "in"),
    "refersto": ((LinkType.REFERS_TO,), "out"),
    "referredtoby": ((LinkType.REFERS_TO,), "in"),
    "linkedto": (_ANY, "out"),
    "linkedfrom": (_ANY, "in"),
    "linked": (_ANY, "both"),
}
# A ticket URI as RT writes them (fsck.com-rt://example.org/ticket/12) or a bare number.
_TICKET_REF = re.compile(r"\s*(?:[\w.+-]+://[^\s]*/ticket/)?(\d{1,18})\s*")


def condition(ctx: Context, condition: Condition) -> Q:
    check_operator(condition, ("=", "!=", *NULL_OPERATORS))
    types, direction = LINK_FIELDS[condition.key.field.lower()]
    if condition.operator in NULL_OPERATORS:
        found = _linked(types, direction, Q(), Q())
        return ~found if condition.operator == "IS" else found
    text = literal(condition)
    match = _TICKET_REF.fullmatch(text)
    if match:
        number = int(match.group(1))
        found = _linked(types, direction, Q(target_id=number), Q(base_id=number))
    elif direction == "in":
        # Outside URIs are only ever targets.
        found = NOTHING
    else:
        found = _linked(types, "out", Q(target_uri=text.strip()), Q())
    return ~found if is_negative(condition.operator) else found


def _linked(types: tuple[str, ...], direction: str, outward: Q, inward: Q) -> Q:
    found = Q()
    if direction in ("out", "both"):
        found |= Q(
            Exists(Link.objects.filter(outward, base_id=OuterRef("pk"), type__in=types))
        )
    if direction in ("in", "both"):
        found |= Q(
            Exists(
                Link.objects.filter(inward, target_id=OuterRef("pk"), type__in=types)
            )
        )
    return found
