"""The search page's query builder: rows of field, operator and value joined by AND/OR,
written out as TicketSQL (the raw box shows the result, so people learn the syntax).

Pure functions over the request's parameters; the search itself still goes through
TicketSQL's `search()`, which applies rights.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy

from tracker.models import CustomField

MAX_ROWS = 10

# kind -> operators offered for it
OPERATORS: dict[str, tuple[str, ...]] = {
    "number": ("=", "!=", "<", ">", "<=", ">="),
    "text": ("LIKE", "NOT LIKE", "=", "!=", "STARTSWITH", "ENDSWITH"),
    "status": ("=", "!="),
    "person": ("=", "!=", "LIKE", "NOT LIKE"),
    "date": ("<", ">", "=", "<=", ">="),
    "content": ("LIKE", "NOT LIKE"),
    "select": ("=", "!=", "IS", "IS NOT"),
}

# Every operator, in the order the builder lists them.
ALL_OPERATORS = (
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "LIKE",
    "NOT LIKE",
    "STARTSWITH",
    "ENDSWITH",
    "IS",
    "IS NOT",
)

# (TicketSQL field, label, kind)
FIELDS: tuple[tuple[str, object, str], ...] = (
    ("id", gettext_lazy("Number"), "number"),
    ("Subject", gettext_lazy("Subject"), "text"),
    ("Queue", gettext_lazy("Queue"), "status"),
    ("Status", gettext_lazy("Status"), "status"),
    ("Owner", gettext_lazy("Owner"), "person"),
    ("Requestor.EmailAddress", gettext_lazy("Requestor e-mail"), "person"),
    ("Cc.EmailAddress", gettext_lazy("Cc e-mail"), "person"),
    ("AdminCc.EmailAddress", gettext_lazy("AdminCc e-mail"), "person"),
    ("Priority", gettext_lazy("Priority"), "number"),
    ("Created", gettext_lazy("Created"), "date"),
    ("LastUpdated", gettext_lazy("Last updated"), "date"),
    ("Due", gettext_lazy("Due"), "date"),
    ("Resolved", gettext_lazy("Resolved"), "date"),
    ("Content", gettext_lazy("Message text"), "content"),
)


@dataclass(frozen=True)
class Row:
    field: str
    operator: str
    value: str
    join: str = "AND"


class BuilderError(ValueError):
    """A row names an unknown field or an operator its field does not take."""


def field_kinds() -> dict[str, str]:
    """Every field the builder offers, with its kind (custom select fields included)."""
    kinds = {name: kind for name, _label, kind in FIELDS}
    for name in CustomField.objects.filter(is_active=True).values_list(
        "name", flat=True
    ):
        kinds[f"CF.{{{name}}}"] = "select"
    return kinds


def field_choices() -> list[tuple[str, str]]:
    choices = [(name, str(label)) for name, label, _kind in FIELDS]
    for name in CustomField.objects.filter(is_active=True).values_list(
        "name", flat=True
    ):
        choices.append((f"CF.{{{name}}}", name))
    return choices


def rows_from(params: QueryDict) -> list[Row]:
    """The filled-in rows of the builder (bf/bo/bv/bj lists), blanks skipped."""
    fields = params.getlist("bf")[:MAX_ROWS]
    operators = params.getlist("bo")
    values = params.getlist("bv")
    joins = params.getlist("bj")
    rows = []
    for i, name in enumerate(fields):
        value = values[i] if i < len(values) else ""
        operator = operators[i] if i < len(operators) else ""
        if not name or (value == "" and operator not in ("IS", "IS NOT")):
            continue
        join = joins[i].upper() if i < len(joins) else "AND"
        rows.append(Row(name, operator, value, "OR" if join == "OR" else "AND"))
    return rows


def quote(value: str) -> str:
    """A TicketSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_query(rows: list[Row], kinds: dict[str, str]) -> str:
    """TicketSQL for the rows. AND binds tighter than OR, as in TicketSQL itself."""
    parts: list[str] = []
    for row in rows:
        kind = kinds.get(row.field)
        if kind is None:
            raise BuilderError(f"Unknown field {row.field!r}.")
        if row.operator not in OPERATORS[kind]:
            raise BuilderError(f"{row.field} does not take {row.operator!r}.")
        if row.operator in ("IS", "IS NOT"):
            condition = f"{row.field} {row.operator} NULL"
        elif kind == "number" and row.value.strip().lstrip("-").isdigit():
            condition = f"{row.field} {row.operator} {int(row.value)}"
        else:
            condition = f"{row.field} {row.operator} {quote(row.value)}"
        parts.append(condition if not parts else f"{row.join} {condition}")
    return " ".join(parts)


def combine(raw: str, built: str) -> str:
    """The raw query and the builder's, both required."""
    if not raw:
        return built
    if not built:
        return raw
    return f"({raw}) AND ({built})"
