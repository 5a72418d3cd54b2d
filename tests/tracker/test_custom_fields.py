"""Custom field values: validation per type, rights, and the history they write."""

from __future__ import annotations

import pytest

from tests.factories import grant, grant_many, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.models import (
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    QueueCustomField,
    Ticket,
    Transaction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return make_queue("NOC")


@pytest.fixture
def staff(queue):
    user = make_staff()
    grant_many(
        ["ShowTicket", "ModifyTicket", "ModifyCustomField"], user=user, queue=queue
    )
    return user


@pytest.fixture
def ticket(queue):
    return make_ticket(queue=queue)


def make_field(
    name: str, type: str, queue=None, *, choices=(), **fields
) -> CustomField:
    """A ticket custom field applied to `queue` (or to every queue when None)."""
    field = CustomField.objects.create(name=name, type=type, **fields)
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    for order, choice in enumerate(choices):
        CustomFieldChoice.objects.create(
            custom_field=field, name=choice, sort_order=order
        )
    return field


def values_of(ticket: Ticket, field: CustomField) -> list[str]:
    return list(
        CustomFieldValue.objects.filter(ticket=ticket, custom_field=field)
        .order_by("id")
        .values_list("content", flat=True)
    )


def cf_history(ticket: Ticket) -> list[tuple[str, str, str]]:
    return list(
        Transaction.objects.filter(ticket=ticket, type="CustomField")
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )


# --- Validation per type ----------------------------------------------------------------


VALID = [
    ("freeform", "  rack 4, row B  ", "rack 4, row B"),
    ("text", "line one\nline two", "line one\nline two"),
    ("date", "2024-11-29", "2024-11-29"),
    ("datetime", "2024-11-29 16:00", "2024-11-29T16:00:00Z"),
    ("datetime", "2024-11-29T16:00:00+02:00", "2024-11-29T14:00:00Z"),
    ("datetime", "2024-11-29", "2024-11-29T00:00:00Z"),
    ("number", "42", "42"),
    ("number", "-3.25", "-3.25"),
    ("ipaddress", "192.0.2.10", "192.0.2.10"),
    ("ipaddress", "2001:DB8:0:0::1", "2001:db8::1"),
    ("iprange", "192.0.2.0/24", "192.0.2.0-192.0.2.255"),
    ("iprange", "192.0.2.7/24", "192.0.2.0-192.0.2.255"),
    ("iprange", "192.0.2.1 - 192.0.2.9", "192.0.2.1-192.0.2.9"),
    ("iprange", "2001:db8::/127", "2001:db8::-2001:db8::1"),
    ("iprange", "198.51.100.4", "198.51.100.4"),
]


@pytest.mark.parametrize(("kind", "raw", "stored"), VALID)
def test_valid_value_is_stored_normalised(queue, ticket, staff, kind, raw, stored):
    field = make_field("Value", kind, queue)

    services.set_custom_field(ticket=ticket, field=field, values=raw, actor=staff)

    assert values_of(ticket, field) == [stored]


INVALID = [
    ("freeform", "two\nlines", "Enter one value (one line)"),
    ("date", "29/11/2024", "Date"),
    ("date", "2024-02-30", "Date"),
    ("datetime", "tomorrow-ish", "Date and time"),
    ("number", "forty-two", "Number"),
    ("number", "NaN", "Number"),
    ("number", "1e30", "Number"),
    ("ipaddress", "192.0.2.300", "IP address"),
    ("ipaddress", "192.0.2.0/24", "IP address"),
    ("iprange", "192.0.2.9-192.0.2.1", "IP address range or CIDR"),
    ("iprange", "192.0.2.1-2001:db8::1", "IP address range or CIDR"),
    ("iprange", "192.0.2.0/33", "IP address range or CIDR"),
]


@pytest.mark.parametrize(("kind", "raw", "label"), INVALID)
def test_invalid_value_is_refused_with_a_readable_message(
    queue, ticket, staff, kind, raw, label
):
    field = make_field("Value", kind, queue)

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(ticket=ticket, field=field, values=raw, actor=staff)

    assert (
        excinfo.value.message == f"'{raw}' is not a valid value for 'Value' ({label})."
    )
    assert values_of(ticket, field) == []
    assert cf_history(ticket) == []


def test_empty_value_in_a_list_is_refused(queue, ticket, staff):
    field = make_field("Tags", "freeform", queue, max_values=0)

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(
            ticket=ticket, field=field, values=["a", " "], actor=staff
        )

    assert excinfo.value.message == "'Tags' cannot take an empty value."


def test_select_accepts_one_of_its_choices(queue, ticket, staff):
    field = make_field("Severity", "select", queue, choices=["Low", "High"])

    services.set_custom_field(
        ticket=ticket, field="severity", values="High", actor=staff
    )

    assert values_of(ticket, field) == ["High"]


def test_select_refuses_a_value_not_among_its_choices(queue, ticket, staff):
    make_field("Severity", "select", queue, choices=["Low", "High"])

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(
            ticket=ticket, field="Severity", values="high", actor=staff
        )

    assert excinfo.value.message == "'high' is not one of the choices of 'Severity'."


def test_number_sort_keys_order_like_the_numbers(queue, ticket, staff):
    field = make_field("Readings", "number", queue, max_values=0)
    numbers = ["10", "-2", "0", "2.5", "-10.75", "3", "-0.5", "100"]

    services.set_custom_field(ticket=ticket, field=field, values=numbers, actor=staff)

    by_key = CustomFieldValue.objects.filter(custom_field=field).order_by("sort_key")
    assert [v.content for v in by_key] == sorted(numbers, key=float)


def test_ip_sort_keys_order_v4_before_v6_and_numerically(queue, ticket, staff):
    field = make_field("Hosts", "ipaddress", queue, max_values=0)
    addresses = ["10.0.0.20", "2001:db8::1", "10.0.0.3", "9.255.255.255"]

    services.set_custom_field(ticket=ticket, field=field, values=addresses, actor=staff)

    by_key = CustomFieldValue.objects.filter(custom_field=field).order_by("sort_key")
    assert [v.content for v in by_key] == [
        "9.255.255.255",
        "10.0.0.3",
        "10.0.0.20",
        "2001:db8::1",
    ]


def test_ip_range_keeps_both_ends_as_sort_keys(queue, ticket, staff):
    field = make_field("Network", "iprange", queue)

    services.set_custom_field(
        ticket=ticket, field=field, values="10.1.0.0/16", actor=staff
    )

    value = CustomFieldValue.objects.get(custom_field=field)
    assert value.sort_key < value.sort_key_high
    assert value.sort_key_high.endswith("0a01ffff")


# --- Pattern and number of values -------------------------------------------------------


def test_pattern_mismatch_is_refused_with_its_description(queue, ticket, staff):
    make_field(
        "Change",
        "freeform",
        queue,
        pattern=r"^[A-Z]{2,5}-\d+$",
        pattern_description="a change number like CHG-42",
    )

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(
            ticket=ticket, field="Change", values="42", actor=staff
        )

    assert excinfo.value.message == (
        "'42' is not a valid value for 'Change': a change number like CHG-42."
    )


def test_pattern_mismatch_without_description_shows_the_pattern(queue, ticket, staff):
    make_field("Change", "freeform", queue, pattern=r"^CHG-\d+$")

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(
            ticket=ticket, field="Change", values="42", actor=staff
        )

    assert excinfo.value.message == (
        r"'42' is not a valid value for 'Change': it must match ^CHG-\d+$."
    )


def test_pattern_match_is_accepted(queue, ticket, staff):
    field = make_field("Change", "freeform", queue, pattern=r"^CHG-\d+$")

    services.set_custom_field(
        ticket=ticket, field="Change", values="CHG-42", actor=staff
    )

    assert values_of(ticket, field) == ["CHG-42"]


def test_more_values_than_max_values_is_refused(queue, ticket, staff):
    make_field("Sites", "freeform", queue, max_values=2)

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_custom_field(
            ticket=ticket,
            field="Sites",
            values=["Berlin", "Paris", "Oslo"],
            actor=staff,
        )

    assert excinfo.value.message == "'Sites' takes at most 2 value(s); got 3."


def test_repeated_values_count_once(queue, ticket, staff):
    field = make_field("Site", "freeform", queue)

    services.set_custom_field(
        ticket=ticket, field=field, values=["Berlin", "Berlin"], actor=staff
    )

    assert values_of(ticket, field) == ["Berlin"]


def test_unlimited_field_takes_many_values(queue, ticket, staff):
    field = make_field("Tags", "freeform", queue, max_values=0)

    services.set_custom_field(
        ticket=ticket, field=field, values=["vpn", "outage", "site-b"], actor=staff
    )

    assert values_of(ticket, field) == ["vpn", "outage", "site-b"]


# --- Where the field applies, and who may set it ----------------------------------------


def test_field_not_applied_to_the_ticket_queue_is_not_found(ticket, staff):
    make_field("Circuit", "freeform", make_queue("Other"))

    with pytest.raises(NotFound) as excinfo:
        services.set_custom_field(
            ticket=ticket, field="Circuit", values="C-1", actor=staff
        )

    assert (
        excinfo.value.message == "Custom field 'Circuit' does not apply to queue 'NOC'."
    )


def test_field_applied_to_no_queue_is_not_found(ticket, staff):
    CustomField.objects.create(name="Circuit", type="freeform")

    with pytest.raises(NotFound):
        services.set_custom_field(
            ticket=ticket, field="Circuit", values="C-1", actor=staff
        )


def test_globally_applied_field_applies_to_every_queue(ticket, staff):
    field = make_field("Circuit", "freeform", None)

    services.set_custom_field(ticket=ticket, field=field.pk, values="C-1", actor=staff)

    assert values_of(ticket, field) == ["C-1"]


def test_disabled_field_is_not_found(queue, ticket, staff):
    make_field("Circuit", "freeform", queue, is_active=False)

    with pytest.raises(NotFound):
        services.set_custom_field(
            ticket=ticket, field="Circuit", values="C-1", actor=staff
        )


def test_setting_a_value_needs_modify_custom_field(queue, ticket):
    field = make_field("Circuit", "freeform", queue)
    modifier = make_staff()
    grant_many(["ShowTicket", "ModifyTicket"], user=modifier, queue=queue)

    with pytest.raises(PermissionDenied) as excinfo:
        services.set_custom_field(
            ticket=ticket, field=field, values="C-1", actor=modifier
        )

    assert excinfo.value.message == (
        "Permission denied: you need ModifyCustomField for this."
    )
    assert values_of(ticket, field) == []


# --- History of changes -----------------------------------------------------------------


def test_setting_a_first_value_writes_one_transaction(queue, ticket, staff):
    field = make_field("Site", "freeform", queue)

    services.set_custom_field(ticket=ticket, field=field, values="Berlin", actor=staff)

    assert cf_history(ticket) == [(str(field.pk), "", "Berlin")]
    txn = Transaction.objects.get(ticket=ticket, type="CustomField")
    assert txn.new_reference == CustomFieldValue.objects.get(custom_field=field).pk
    assert txn.creator == staff


def test_replacing_a_single_value_writes_one_transaction_with_old_and_new(
    queue, ticket, staff
):
    field = make_field("Site", "freeform", queue)
    services.set_custom_field(ticket=ticket, field=field, values="Berlin", actor=staff)

    services.set_custom_field(ticket=ticket, field=field, values="Paris", actor=staff)

    assert cf_history(ticket)[-1] == (str(field.pk), "Berlin", "Paris")
    assert values_of(ticket, field) == ["Paris"]


def test_clearing_a_value_writes_one_removal(queue, ticket, staff):
    field = make_field("Site", "freeform", queue)
    services.set_custom_field(ticket=ticket, field=field, values="Berlin", actor=staff)

    services.set_custom_field(ticket=ticket, field=field, values=[], actor=staff)

    assert cf_history(ticket)[-1] == (str(field.pk), "Berlin", "")
    assert values_of(ticket, field) == []


def test_changing_a_multi_value_field_writes_one_transaction_per_value(
    queue, ticket, staff
):
    field = make_field("Tags", "freeform", queue, max_values=0)
    services.set_custom_field(
        ticket=ticket, field=field, values=["a", "b"], actor=staff
    )

    services.set_custom_field(
        ticket=ticket, field=field, values=["b", "c"], actor=staff
    )

    assert cf_history(ticket) == [
        (str(field.pk), "", "a"),
        (str(field.pk), "", "b"),
        (str(field.pk), "a", ""),
        (str(field.pk), "", "c"),
    ]
    assert sorted(values_of(ticket, field)) == ["b", "c"]


def test_setting_the_same_values_writes_nothing(queue, ticket, staff):
    field = make_field("Tags", "freeform", queue, max_values=0)
    services.set_custom_field(
        ticket=ticket, field=field, values=["a", "b"], actor=staff
    )

    written = services.set_custom_field(
        ticket=ticket, field=field, values=["b", "a"], actor=staff
    )

    assert written == []
    assert len(cf_history(ticket)) == 2


# --- Initial values at creation ---------------------------------------------------------


@pytest.fixture
def creator(queue):
    user = make_staff()
    grant("CreateTicket", user=user, queue=queue)
    return user


def test_initial_value_without_a_custom_field_right_is_refused(queue, creator):
    make_field("Site", "freeform", queue)

    with pytest.raises(PermissionDenied) as excinfo:
        services.create_ticket(
            queue=queue, actor=creator, subject="S", custom_fields={"Site": "Berlin"}
        )

    assert excinfo.value.message == (
        "Permission denied: you need SetInitialCustomField or ModifyCustomField for this."
    )
    assert not Ticket.objects.filter(queue=queue).exists()


@pytest.mark.parametrize("right", ["SetInitialCustomField", "ModifyCustomField"])
def test_initial_value_with_either_right_is_stored_without_extra_history(
    queue, creator, right
):
    field = make_field("Site", "freeform", queue)
    grant(right, user=creator, queue=queue)

    ticket = services.create_ticket(
        queue=queue, actor=creator, subject="S", custom_fields={"Site": "Berlin"}
    )

    assert values_of(ticket, field) == ["Berlin"]
    assert list(
        Transaction.objects.filter(ticket=ticket).values_list("type", flat=True)
    ) == ["Create"]


def test_set_initial_custom_field_does_not_allow_later_changes(queue, creator):
    field = make_field("Site", "freeform", queue)
    grant_many(["SetInitialCustomField", "ModifyTicket"], user=creator, queue=queue)
    ticket = services.create_ticket(
        queue=queue, actor=creator, subject="S", custom_fields={field: "Berlin"}
    )

    with pytest.raises(PermissionDenied):
        services.set_custom_field(
            ticket=ticket, field=field, values="Paris", actor=creator
        )

    assert values_of(ticket, field) == ["Berlin"]
