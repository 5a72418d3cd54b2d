"""Date values of TicketSQL, read in the searching user's time zone.

Absolute: '2024-11-29', '2024-11-29 16:00', '2024-11-29T16:00:00Z'.
Relative: 'now', 'today', 'yesterday', 'tomorrow', '3 days ago', '-7 days', '+2 hours',
'2 weeks', 'last week', 'next month', 'this week', 'last Sunday', 'next friday',
'beginning of last month', 'start of this week', 'end of this year'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta
from django.conf import settings

_UNITS = {
    "second": relativedelta(seconds=1),
    "minute": relativedelta(minutes=1),
    "hour": relativedelta(hours=1),
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "year": relativedelta(years=1),
}
_UNIT = r"(?P<unit>second|minute|hour|day|week|month|year)s?"
_AGO = re.compile(rf"(?P<n>\d{{1,6}})\s*{_UNIT}\s+ago")
_OFFSET = re.compile(rf"(?P<sign>[-+]?)\s*(?P<n>\d{{1,6}})\s*{_UNIT}")
_NAMED = re.compile(
    r"(?:(?P<edge>beginning|start|end)\s+of\s+)?(?P<which>last|this|next)\s+"
    r"(?P<unit>day|week|month|year)"
)
_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_WEEKDAY = re.compile(
    rf"(?:(?P<which>last|this|next)\s+)?(?P<day>{'|'.join(_WEEKDAYS)})"
)
_ISO_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class Moment:
    """A point in time; `day` is the whole local day it falls in (for `=`)."""

    at: datetime
    day_start: datetime
    day_end: datetime


def user_zone(user: object) -> ZoneInfo:
    for name in (getattr(user, "time_zone", ""), settings.TIME_ZONE, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_moment(text: str, *, now: datetime, zone: ZoneInfo) -> Moment | None:
    """The moment `text` names, or None when it is not a date we understand."""
    local_now = now.astimezone(zone)
    try:
        at = _parse(" ".join(text.lower().split()), local_now, zone)
    except (ValueError, OverflowError):
        return None
    if at is None:
        return None
    try:
        at = at.astimezone(zone)
        day_start = datetime.combine(at.date(), time.min, tzinfo=zone)
        day_end = datetime.combine(at.date() + timedelta(days=1), time.min, tzinfo=zone)
        # The database compares in UTC: each bound must exist there too.
        for moment in (at, day_start, day_end):
            moment.astimezone(UTC)
    except OverflowError:
        return None
    return Moment(at=at, day_start=day_start, day_end=day_end)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _parse(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    today = now.date()
    simple = {
        "now": now,
        "today": _midnight(today, zone),
        "yesterday": _midnight(today - timedelta(days=1), zone),
        "tomorrow": _midnight(today + timedelta(days=1), zone),
    }
    if text in simple:
        return simple[text]
    if match := _AGO.fullmatch(text):
        return now - _UNITS[match["unit"]] * int(match["n"])
    if match := _OFFSET.fullmatch(text):
        delta = _UNITS[match["unit"]] * int(match["n"])
        return now - delta if match["sign"] == "-" else now + delta
    if match := _NAMED.fullmatch(text):
        return _named_period(match, now, zone)
    if match := _WEEKDAY.fullmatch(text):
        return _weekday(match, today, zone)
    return _absolute(text, zone)


def _named_period(match: re.Match[str], now: datetime, zone: ZoneInfo) -> datetime:
    unit, which, edge = match["unit"], match["which"], match["edge"]
    step = {"last": -1, "this": 0, "next": 1}[which]
    if edge is None:
        return now + _UNITS[unit] * step
    today = now.date()
    if unit == "day":
        start = today
    elif unit == "week":
        start = today - timedelta(days=today.weekday())
    elif unit == "month":
        start = today.replace(day=1)
    else:
        start = today.replace(month=1, day=1)
    start += _UNITS[unit] * step
    if edge == "end":
        return _midnight(start + _UNITS[unit], zone) - timedelta(seconds=1)
    return _midnight(start, zone)


def _weekday(match: re.Match[str], today: date, zone: ZoneInfo) -> datetime:
    wanted = _WEEKDAYS.index(match["day"])
    if match["which"] == "next":
        ahead = (wanted - today.weekday()) % 7 or 7
        return _midnight(today + timedelta(days=ahead), zone)
    if match["which"] == "this":
        return _midnight(today + timedelta(days=wanted - today.weekday()), zone)
    back = (today.weekday() - wanted) % 7 or 7
    return _midnight(today - timedelta(days=back), zone)


def _absolute(text: str, zone: ZoneInfo) -> datetime | None:
    if not re.search(r"\d", text):
        return None
    default = datetime(2000, 1, 1, tzinfo=zone)
    if _ISO_DAY.fullmatch(text):
        return _midnight(date.fromisoformat(_pad_iso(text)), zone)
    try:
        parsed = dateutil_parser.parse(text, default=default.replace(tzinfo=None))
    except (dateutil_parser.ParserError, ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _pad_iso(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"
