"""No input reaches anything but a result or a TicketSQLError (never a 500)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.ticketsql import TicketSQLError, search

pytestmark = pytest.mark.django_db

FIELDS = [
    "id",
    "EffectiveId",
    "Subject",
    "Status",
    "Queue",
    "Owner",
    "Owner.EmailAddress",
    "Owner.id",
    "Creator",
    "LastUpdatedBy",
    "Priority",
    "InitialPriority",
    "FinalPriority",
    "TimeWorked",
    "TimeEstimated",
    "TimeLeft",
    "Created",
    "Started",
    "Resolved",
    "Due",
    "Starts",
    "Told",
    "LastUpdated",
    "Updated",
    "UpdatedBy",
    "Type",
    "Lifecycle",
    "Requestor",
    "Requestors.Name",
    "Cc.RealName",
    "AdminCc.id",
    "Watcher.EmailAddress",
    "QueueCc",
    "QueueAdminCc.Name",
    "QueueWatcher",
    "CF.{Severity}",
    "CF.Severity",
    "'CF.{Incident Type}'",
    "CustomField.{x}",
    "DependsOn",
    "DependedOnBy",
    "MemberOf",
    "HasMember",
    "RefersTo",
    "ReferredToBy",
    "LinkedTo",
    "LinkedFrom",
    "Linked",
    "Content",
    "ContentType",
    "Filename",
    "Nope",
    "Requestor.Shoe",
]
OPERATORS = [
    "=",
    "!=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "LIKE",
    "NOT LIKE",
    "STARTSWITH",
    "NOT STARTSWITH",
    "ENDSWITH",
    "NOT ENDSWITH",
    "IS",
    "IS NOT",
    "SHALLOW =",
    "==",
]
VALUES = [
    "NULL",
    "1",
    "-1",
    "0",
    "99999999999999999999",
    "1.5",
    "'x'",
    "'%'",
    "'_'",
    "'\\''",
    "'__CurrentUser__'",
    "'__CurrentUserName__'",
    "'Nobody'",
    "'__Active__'",
    "'__Inactive__'",
    "'deleted'",
    "'3 days ago'",
    "'today'",
    "'-7 days'",
    "'last week'",
    "'2024-11-29'",
    "'2024-02-30'",
    "'9999-12-31 23:59'",
    "'0001-01-01'",
    "'99999 years ago'",
    "'10.0.0.0/8'",
    "'::1'",
    "'1e999999'",
    "'NaN'",
    "'Infinity'",
    "Resolved",
    "Created",
    "Priority",
    "Owner",
    "open",
    "CF.{Severity}",
    "'CF.{X}'",
    '"double"',
    "'日本語'",
    "'a\\\\b'",
    "''",
    "' '",
    "'fsck.com-rt://x/ticket/1'",
]
GLUE = ["AND", "OR", "(", ")", "NOT", "and", "or"]

words = st.sampled_from(FIELDS + OPERATORS + VALUES + GLUE)
token_soup = st.lists(st.one_of(words, st.text(max_size=4)), max_size=12).map(" ".join)
condition = st.builds(
    lambda f, o, v: f"{f} {o} {v}",
    st.sampled_from(FIELDS),
    st.sampled_from(OPERATORS),
    st.one_of(
        st.sampled_from(VALUES), st.integers().map(str), st.text(max_size=8).map(repr)
    ),
)
conditions = st.lists(condition, min_size=1, max_size=4).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["AND", "OR"]), min_size=len(parts) - 1, max_size=len(parts) - 1
    ).map(
        lambda glue: " ".join(
            p for pair in zip(parts, [*glue, ""], strict=True) for p in pair
        ).strip()
    )
)


@pytest.fixture
def far_zones(world):
    """Users at both ends of the clock, so dates near the calendar's ends overflow."""
    world.alice.time_zone = "Pacific/Kiritimati"  # UTC+14
    world.admin.time_zone = "Pacific/Pago_Pago"  # UTC-11
    return world


def run(user, query: str) -> None:
    """Evaluate the search; a query error must say where and why."""
    error = None
    try:
        list(search(user, query))
    except TicketSQLError as exc:
        error = exc
    if error is not None:
        assert error.message
        assert 0 <= error.position <= len(query) + 1


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(query=st.text(max_size=40))
def test_random_strings(far_zones, query):
    run(far_zones.alice, query)


@FUZZ
@given(query=token_soup)
def test_random_token_sequences(far_zones, query):
    run(far_zones.alice, query)


@FUZZ
@given(query=conditions)
def test_random_conditions(far_zones, query):
    run(far_zones.alice, query)
    run(far_zones.admin, query)


@FUZZ
@given(
    order_by=st.lists(
        st.one_of(st.sampled_from(FIELDS), st.text(max_size=6)), max_size=3
    ),
    order=st.lists(st.sampled_from(["ASC", "DESC", "asc", "sideways", ""]), max_size=3),
)
def test_random_ordering(world, order_by, order):
    error = None
    try:
        list(search(world.alice, "", order_by=order_by, order=order))
    except TicketSQLError as exc:
        error = exc
    assert error is None or error.position == 0
