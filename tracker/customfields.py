"""Validation and normalisation of custom field values (no writes here)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from tracker.errors import ValidationFailed
from tracker.models import CustomField, CustomFieldType

_NUMBER_SCALE = Decimal(10) ** 6
_NUMBER_OFFSET = 10**24
_NUMBER_LIMIT = Decimal(10) ** 17


@dataclass(frozen=True)
class NormalizedValue:
    content: str
    sort_key: str
    sort_key_high: str = ""


def ip_sort_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """32 hex digits; IPv4 maps into ::ffff:0:0/96 so both families compare as text."""
    if isinstance(address, ipaddress.IPv4Address):
        address = ipaddress.IPv6Address(f"::ffff:{address}")
    return f"{int(address):032x}"


def number_sort_key(number: Decimal) -> str:
    """Fixed-width digits that sort like the numbers, negatives included."""
    return f"{int(number * _NUMBER_SCALE) + _NUMBER_OFFSET:026d}"


def parse_ip_range(
    raw: str,
) -> tuple[
    ipaddress.IPv4Address | ipaddress.IPv6Address,
    ipaddress.IPv4Address | ipaddress.IPv6Address,
]:
    """'10.0.0.1', '10.0.0.0/24' or '10.0.0.1-10.0.0.9' -> (low, high)."""
    text = raw.strip()
    if "-" in text:
        low_text, high_text = (s.strip() for s in text.split("-", 1))
        low, high = ipaddress.ip_address(low_text), ipaddress.ip_address(high_text)
        if low.version != high.version or low > high:
            raise ValueError("range ends are of different families or reversed")
        return low, high
    if "/" in text:
        network = ipaddress.ip_network(text, strict=False)
        return network.network_address, network.broadcast_address
    address = ipaddress.ip_address(text)
    return address, address


def normalize(
    custom_field: CustomField, raw: object, *, choices: set[str] | None = None
) -> NormalizedValue:
    """Check one value against the field's type, pattern and choices.

    Raises ValidationFailed with a message naming the field and the value.
    """
    text = "" if raw is None else str(raw).strip()
    name = custom_field.name
    if not text:
        raise ValidationFailed(f"'{name}' cannot take an empty value.")
    kind = custom_field.type
    try:
        value = _normalize_typed(kind, text)
    except (ValueError, InvalidOperation):
        raise ValidationFailed(
            f"'{text}' is not a valid value for '{name}' ({CustomFieldType(kind).label})."
        ) from None
    if (
        kind == CustomFieldType.SELECT
        and choices is not None
        and value.content not in choices
    ):
        raise ValidationFailed(f"'{text}' is not one of the choices of '{name}'.")
    if custom_field.pattern and not _matches(custom_field.pattern, value.content):
        hint = (
            custom_field.pattern_description or f"it must match {custom_field.pattern}"
        )
        raise ValidationFailed(f"'{text}' is not a valid value for '{name}': {hint}.")
    return value


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        raise ValidationFailed(
            f"The validation pattern '{pattern}' is broken."
        ) from None


def _normalize_typed(kind: str, text: str) -> NormalizedValue:
    if kind in (CustomFieldType.FREEFORM, CustomFieldType.SELECT):
        if "\n" in text or "\r" in text:
            raise ValueError("one line only")
        return NormalizedValue(text, text.casefold()[:255])
    if kind == CustomFieldType.TEXT:
        return NormalizedValue(text, text.casefold()[:255])
    if kind == CustomFieldType.NUMBER:
        number = Decimal(text)
        if not number.is_finite() or abs(number) >= _NUMBER_LIMIT:
            raise ValueError("out of range")
        return NormalizedValue(text, number_sort_key(number))
    if kind == CustomFieldType.DATE:
        day = parse_date(text)
        if day is None:
            raise ValueError("not a date")
        return NormalizedValue(day.isoformat(), day.isoformat())
    if kind == CustomFieldType.DATETIME:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise ValueError("not a date")
            moment = datetime.combine(day, datetime.min.time())
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        utc = moment.astimezone(UTC)
        iso = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        return NormalizedValue(iso, iso)
    if kind == CustomFieldType.IP_ADDRESS:
        address = ipaddress.ip_address(text)
        return NormalizedValue(str(address), ip_sort_key(address))
    if kind == CustomFieldType.IP_RANGE:
        low, high = parse_ip_range(text)
        content = str(low) if low == high else f"{low}-{high}"
        return NormalizedValue(content, ip_sort_key(low), ip_sort_key(high))
    raise ValueError(f"unknown type {kind}")
