"""The syntax tree a TicketSQL query parses into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ValueKind(StrEnum):
    STRING = "string"  # quoted
    NUMBER = "number"
    NULL = "null"
    BARE = "bare"  # an unquoted word: a column reference if it names a field, else text
    COLUMN = "column"  # a quoted 'CF.{Name}', always a column reference


@dataclass(frozen=True)
class Key:
    """`Requestor.EmailAddress` is field "Requestor", subfield "EmailAddress";
    `CF.{Severity}` is field "CF" with `custom_field` "Severity"."""

    field: str
    subfield: str
    custom_field: str | None
    text: str
    position: int


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    text: str
    position: int


@dataclass(frozen=True)
class Condition:
    key: Key
    operator: str  # "=", "!=", "<", ">", "<=", ">=", "LIKE", "NOT LIKE", "STARTSWITH",
    # "NOT STARTSWITH", "ENDSWITH", "NOT ENDSWITH", "IS", "IS NOT" (IS only with NULL)
    value: Value
    shallow: bool
    position: int


@dataclass(frozen=True)
class BoolOp:
    operator: str  # "AND" or "OR"
    children: tuple[Node, ...]


Node = Condition | BoolOp
