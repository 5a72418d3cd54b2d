"""Custom field conditions, compared through the normalised `sort_key` of each value.

The field's type is not looked up beforehand: the value is normalised for every type it
parses as, and each form is matched only against fields of that type, in the same query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q, QuerySet

from tracker import rights
from tracker.customfields import ip_sort_key, number_sort_key, parse_ip_range
from tracker.models import CustomFieldLookup, CustomFieldType, CustomFieldValue
from tracker.ticketsql.common import (
    MATCH_OPERATORS,
    NOTHING,
    NULL_OPERATORS,
    ORDER_LOOKUPS,
    TEXT_LOOKUPS,
    TEXT_OPERATORS,
    Context,
    check_operator,
    is_negative,
    literal,
    positive,
)
from tracker.ticketsql.dates import parse_moment
from tracker.ticketsql.nodes import Condition

TEXT_TYPES = (CustomFieldType.FREEFORM, CustomFieldType.SELECT, CustomFieldType.TEXT)
_NUMBER_LIMIT = Decimal(10) ** 17


def values_of(name: str) -> QuerySet[CustomFieldValue]:
    """The values of the ticket custom field called `name` on the outer ticket."""
    return CustomFieldValue.objects.filter(
        ticket_id=OuterRef("pk"),
        custom_field__name__iexact=name,
        custom_field__lookup_type=CustomFieldLookup.TICKET,
    )


def condition(ctx: Context, condition: Condition) -> Q:
    """Values count only on tickets where the user holds SeeCustomField: elsewhere the
    field reads as empty, so `!=` and IS NULL match and nothing else does."""
    check_operator(condition, TEXT_OPERATORS + NULL_OPERATORS)
    values = values_of(condition.key.custom_field or "")
    if condition.operator in NULL_OPERATORS:
        found = _if_visible(ctx, Q(Exists(values)))
        return ~found if condition.operator == "IS" else found
    text = literal(condition).strip()
    operator = positive(condition.operator)
    if condition.operator in MATCH_OPERATORS:
        match = Q(**{f"content__{TEXT_LOOKUPS[operator]}": text})
    else:
        match = value_match(ctx, operator, text)
    found = _if_visible(ctx, Q(Exists(values.filter(match))))
    return ~found if is_negative(condition.operator) else found


def visible_to(ctx: Context) -> Q | None:
    """The tickets whose custom field values the user may see; None means all."""
    return rights.ticket_filter(ctx.user, rights.SEE_CUSTOM_FIELD)


def _if_visible(ctx: Context, found: Q) -> Q:
    visible = visible_to(ctx)
    return found if visible is None else found & visible


def value_match(ctx: Context, operator: str, text: str) -> Q:
    """A Q over CustomFieldValue for `value <operator> text`, one branch per field type."""
    lookup = ORDER_LOOKUPS[operator]
    key = text.casefold()[:255]
    textual = Q(**{f"sort_key__{lookup}": key})
    if operator == "=":
        textual &= Q(content__iexact=text)
    branches = Q(custom_field__type__in=TEXT_TYPES) & textual
    number = _number(text)
    if number is not None:
        branches |= Q(custom_field__type=CustomFieldType.NUMBER) & Q(
            **{f"sort_key__{lookup}": number_sort_key(number)}
        )
    moment = parse_moment(text, now=ctx.now, zone=ctx.zone)
    if moment is not None:
        branches |= Q(custom_field__type=CustomFieldType.DATE) & _between(
            operator, moment.at.date().isoformat(), moment.at.date().isoformat()
        )
        if operator == "=":
            at_day = Q(
                sort_key__gte=_utc_key(moment.day_start),
                sort_key__lt=_utc_key(moment.day_end),
            )
        else:
            at_day = Q(**{f"sort_key__{lookup}": _utc_key(moment.at)})
        branches |= Q(custom_field__type=CustomFieldType.DATETIME) & at_day
    addresses = _ip_range(text)
    if addresses is not None:
        low, high = addresses
        branches |= Q(custom_field__type=CustomFieldType.IP_ADDRESS) & _between(
            operator, low, high
        )
        branches |= Q(custom_field__type=CustomFieldType.IP_RANGE) & _overlapping(
            operator, low, high
        )
    return branches or NOTHING


def _between(operator: str, low: str, high: str) -> Q:
    """A single value against the range [low, high] (a point when they are equal)."""
    if operator == "=":
        return Q(sort_key__gte=low, sort_key__lte=high)
    if operator == "<":
        return Q(sort_key__lt=low)
    if operator == "<=":
        return Q(sort_key__lte=high)
    if operator == ">":
        return Q(sort_key__gt=high)
    return Q(sort_key__gte=low)


def _overlapping(operator: str, low: str, high: str) -> Q:
    """A stored range [sort_key, sort_key_high] against the range [low, high]."""
    if operator == "=":
        return Q(sort_key__lte=high, sort_key_high__gte=low)
    if operator == "<":
        return Q(sort_key_high__lt=low)
    if operator == "<=":
        return Q(sort_key_high__lte=high)
    if operator == ">":
        return Q(sort_key__gt=high)
    return Q(sort_key__gte=low)


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= _NUMBER_LIMIT:
        return None
    return number


def _ip_range(text: str) -> tuple[str, str] | None:
    try:
        low, high = parse_ip_range(text)
    except ValueError:
        return None
    return ip_sort_key(low), ip_sort_key(high)


def _utc_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
