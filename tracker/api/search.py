"""RT's JSON search form for collections: `[{"field", "operator", "value",
"entry_aggregator"}]`, translated to ORM lookups over a whitelist of fields."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tracker.errors import ValidationFailed

OPERATORS = {
    "=": "iexact",
    "!=": "iexact",
    "LIKE": "icontains",
    "NOT LIKE": "icontains",
    "STARTSWITH": "istartswith",
    "ENDSWITH": "iendswith",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
}
NEGATED = {"!=", "NOT LIKE"}


def json_search(queryset: QuerySet, criteria: Any, fields: dict[str, str]) -> QuerySet:
    """Filter `queryset` by RT JSON search criteria; `fields` maps RT names to ORM paths."""
    if criteria in (None, "", []):
        return queryset
    if not isinstance(criteria, list):
        raise ValidationFailed("A search must be a JSON array of criteria.")
    condition: Q | None = None
    known = {name.lower(): path for name, path in fields.items()}
    for item in criteria:
        if not isinstance(item, dict):
            raise ValidationFailed("Each search criterion must be an object.")
        name = str(item.get("field", ""))
        path = known.get(name.lower())
        if path is None:
            raise ValidationFailed(
                f"Unknown search field '{name}' (use one of {', '.join(fields)})."
            )
        operator = str(item.get("operator", "=")).upper().strip()
        if operator not in OPERATORS:
            raise ValidationFailed(f"Unknown search operator '{operator}'.")
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationFailed(
                f"The value for '{name}' must be a string or number."
            )
        lookup = OPERATORS[operator]
        if path.endswith("_id") or path in ("pk", "id", "sort_order"):
            if not str(value).lstrip("-").isdigit():
                raise ValidationFailed(f"The value for '{name}' must be a number.")
            value = int(value)
            if abs(value) > 2**63 - 1:
                raise ValidationFailed(f"The value for '{name}' is out of range.")
            lookup = {"iexact": "exact"}.get(lookup, lookup)
        term = Q(**{f"{path}__{lookup}": value})
        if operator in NEGATED:
            term = ~term
        aggregator = str(item.get("entry_aggregator", "AND")).upper()
        if condition is None:
            condition = term
        elif aggregator == "OR":
            condition |= term
        elif aggregator == "AND":
            condition &= term
        else:
            raise ValidationFailed("entry_aggregator must be AND or OR.")
    return queryset.filter(condition) if condition is not None else queryset
