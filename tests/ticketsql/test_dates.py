"""Date values: absolute and relative, read in the user's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tracker.ticketsql.dates import parse_moment, user_zone

PARIS = ZoneInfo("Europe/Paris")
# A Wednesday, 10:30 in Paris.
NOW = datetime(2024, 11, 27, 9, 30, tzinfo=UTC)


def at(text: str, zone: ZoneInfo = PARIS) -> datetime:
    moment = parse_moment(text, now=NOW, zone=zone)
    assert moment is not None, text
    return moment.at


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", local(2024, 11, 27, 10, 30)),
        ("NOW", local(2024, 11, 27, 10, 30)),
        ("today", local(2024, 11, 27)),
        ("yesterday", local(2024, 11, 26)),
        ("tomorrow", local(2024, 11, 28)),
        ("3 days ago", local(2024, 11, 24, 10, 30)),
        ("1 day ago", local(2024, 11, 26, 10, 30)),
        ("2 hours ago", local(2024, 11, 27, 8, 30)),
        ("30 minutes ago", local(2024, 11, 27, 10, 0)),
        ("2 weeks ago", local(2024, 11, 13, 10, 30)),
        ("1 month ago", local(2024, 10, 27, 10, 30)),
        ("-7 days", local(2024, 11, 20, 10, 30)),
        ("+2 days", local(2024, 11, 29, 10, 30)),
        ("2 days", local(2024, 11, 29, 10, 30)),
        ("last week", local(2024, 11, 20, 10, 30)),
        ("next week", local(2024, 12, 4, 10, 30)),
        ("last month", local(2024, 10, 27, 10, 30)),
        ("beginning of last month", local(2024, 10, 1)),
        ("start of this week", local(2024, 11, 25)),
        ("beginning of this year", local(2024, 1, 1)),
        ("last sunday", local(2024, 11, 24)),
        ("monday", local(2024, 11, 25)),
        ("next friday", local(2024, 11, 29)),
        ("2024-11-29", local(2024, 11, 29)),
        ("2024-1-5", local(2024, 1, 5)),
        ("2024-11-29 16:00", local(2024, 11, 29, 16, 0)),
        ("2024-11-29 16:00:30", local(2024, 11, 29, 16, 0, 30)),
        ("2024-11-29T16:00:00Z", datetime(2024, 11, 29, 16, tzinfo=UTC)),
    ],
)
def test_date_values(text, expected):
    assert at(text) == expected


def test_a_moment_knows_its_whole_local_day():
    moment = parse_moment("2024-11-29 23:30", now=NOW, zone=PARIS)
    assert moment.day_start == local(2024, 11, 29)
    assert moment.day_end == local(2024, 11, 30)


@pytest.mark.parametrize(
    "text", ["", "soon", "31 flobs ago", "2024-13-45", "99999999 years ago", "x1"]
)
def test_nonsense_is_not_a_date(text):
    assert parse_moment(text, now=NOW, zone=PARIS) is None


def test_the_zone_comes_from_the_user_then_the_settings(settings):
    settings.TIME_ZONE = "America/New_York"
    assert user_zone(SimpleNamespace(time_zone="Asia/Tokyo")) == ZoneInfo("Asia/Tokyo")
    assert user_zone(SimpleNamespace(time_zone="")) == ZoneInfo("America/New_York")
    assert user_zone(SimpleNamespace(time_zone="Not/AZone")) == ZoneInfo(
        "America/New_York"
    )
