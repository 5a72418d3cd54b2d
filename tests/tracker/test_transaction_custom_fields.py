"""Custom fields of transactions: values ride on a reply or comment."""

from __future__ import annotations

import pytest

from tests.factories import grant_many, make_queue, make_staff, make_ticket
from tracker import services
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.models import CustomField, CustomFieldValue, QueueCustomField, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return make_queue("Billing")


@pytest.fixture
def time_category(queue):
    field = CustomField.objects.create(
        name="Time category", type="freeform", lookup_type="transaction"
    )
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    return field


@pytest.fixture
def ticket(queue):
    return make_ticket(queue=queue)


def _staff(queue, *rights):
    user = make_staff()
    grant_many(
        ["ShowTicket", "ReplyToTicket", "CommentOnTicket", *rights],
        user=user,
        queue=queue,
    )
    return user


def test_reply_stores_transaction_custom_field_values(queue, time_category, ticket):
    staff = _staff(queue, "ModifyCustomField")
    txn = services.correspond(
        ticket=ticket,
        actor=staff,
        body="Fixed.",
        txn_custom_fields={"Time category": "onsite"},
    )
    value = CustomFieldValue.objects.get(transaction=txn)
    assert (value.custom_field, value.content, value.ticket) == (
        time_category,
        "onsite",
        None,
    )


def test_transaction_custom_field_needs_modify_custom_field(
    queue, time_category, ticket
):
    staff = _staff(queue)
    before = Transaction.objects.count()
    with pytest.raises(PermissionDenied):
        services.comment(
            ticket=ticket,
            actor=staff,
            body="Note",
            txn_custom_fields={time_category: "x"},
        )
    assert Transaction.objects.count() == before


def test_ticket_custom_field_is_not_a_transaction_field(queue, ticket):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    staff = _staff(queue, "ModifyCustomField")
    with pytest.raises(NotFound):
        services.correspond(
            ticket=ticket,
            actor=staff,
            body="Hi",
            txn_custom_fields={"Severity": "High"},
        )


def test_invalid_transaction_custom_field_value_rolls_back_the_reply(
    queue, time_category, ticket
):
    time_category.pattern = r"^(onsite|remote)$"
    time_category.save()
    staff = _staff(queue, "ModifyCustomField")
    before = Transaction.objects.count()
    with pytest.raises(ValidationFailed):
        services.correspond(
            ticket=ticket,
            actor=staff,
            body="Hi",
            txn_custom_fields={"Time category": "moon"},
        )
    assert Transaction.objects.count() == before
