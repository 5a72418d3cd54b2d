"""What every field compiler shares: the search context, operators and value checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from tracker.models import User
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.nodes import Condition, Value, ValueKind

# Each negative operator and the positive one it negates.
NEGATIVE = {
    "!=": "=",
    "NOT LIKE": "LIKE",
    "NOT STARTSWITH": "STARTSWITH",
    "NOT ENDSWITH": "ENDSWITH",
    "IS NOT": "IS",
}
ORDER_OPERATORS = ("=", "!=", "<", ">", "<=", ">=")
MATCH_OPERATORS = (
    "LIKE",
    "NOT LIKE",
    "STARTSWITH",
    "NOT STARTSWITH",
    "ENDSWITH",
    "NOT ENDSWITH",
)
TEXT_OPERATORS = ORDER_OPERATORS + MATCH_OPERATORS
NULL_OPERATORS = ("IS", "IS NOT")

TEXT_LOOKUPS = {
    "=": "iexact",
    "LIKE": "icontains",
    "STARTSWITH": "istartswith",
    "ENDSWITH": "iendswith",
    "<": "lt",
    ">": "gt",
    "<=": "lte",
    ">=": "gte",
}
ORDER_LOOKUPS = {"=": "exact", "<": "lt", ">": "gt", "<=": "lte", ">=": "gte"}

NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)

_INTEGER = re.compile(r"\s*-?\d{1,19}\s*")
_INT_LIMIT = 2**63


@dataclass(frozen=True)
class Context:
    user: User
    zone: ZoneInfo
    now: datetime


def positive(operator: str) -> str:
    return NEGATIVE.get(operator, operator)


def is_negative(operator: str) -> bool:
    return operator in NEGATIVE


def check_operator(condition: Condition, allowed: tuple[str, ...]) -> None:
    if condition.operator not in allowed:
        raise TicketSQLError(
            f"'{condition.operator}' cannot be used with {condition.key.text}",
            condition.position,
        )


def literal(condition: Condition) -> str:
    """The value as text; a column reference is refused here."""
    value = condition.value
    if value.kind == ValueKind.COLUMN:
        raise TicketSQLError(
            f"{condition.key.text} cannot be compared with a custom field",
            value.position,
        )
    return value.text


def integer(condition: Condition, value: Value | None = None) -> int:
    value = value or condition.value
    if value.kind != ValueKind.COLUMN and _INTEGER.fullmatch(value.text):
        number = int(value.text)
        if -_INT_LIMIT < number < _INT_LIMIT:
            return number
    raise TicketSQLError(
        f"expecting a whole number for {condition.key.text}, found '{value.text}'",
        value.position,
    )


def looks_like_integer(value: Value) -> bool:
    return value.kind != ValueKind.COLUMN and bool(_INTEGER.fullmatch(value.text))


def compare(path: str, operator: str, target: object) -> Q:
    """`path <operator> target` for =, !=, <, >, <=, >=."""
    if operator == "!=":
        return ~Q(**{path: target})
    return Q(**{f"{path}__{ORDER_LOOKUPS[operator]}": target})


def text_match(path: str, operator: str, text: str) -> Q:
    """Case-insensitive text comparison; LIKE is a substring match."""
    q = Q(**{f"{path}__{TEXT_LOOKUPS[positive(operator)]}": text})
    return ~q if is_negative(operator) else q


def negate_if(operator: str, q: Q) -> Q:
    return ~q if is_negative(operator) else q
