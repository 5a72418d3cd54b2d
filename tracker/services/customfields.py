"""Custom field values on tickets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Q

from tracker import rights
from tracker.customfields import NormalizedValue, normalize
from tracker.errors import NotFound, ValidationFailed
from tracker.history import record_transaction
from tracker.locks import lock_ticket
from tracker.models import (
    CustomField,
    CustomFieldLookup,
    CustomFieldValue,
    QueueCustomField,
    Ticket,
    Transaction,
    TransactionType,
    User,
)


def custom_fields_for_queue(
    queue_id: int, lookup_type: str = CustomFieldLookup.TICKET
) -> list[CustomField]:
    """Custom fields (of tickets, or of their transactions) applied to the queue or to
    every queue, in display order."""
    # A subquery, not a join: with a LEFT JOIN a field applied nowhere would have a NULL
    # application queue and pass for a global one.
    applied = QueueCustomField.objects.filter(
        Q(queue_id=queue_id) | Q(queue__isnull=True)
    ).values("custom_field_id")
    return list(
        CustomField.objects.filter(
            pk__in=applied, lookup_type=lookup_type, is_active=True
        ).order_by("sort_order", "name")
    )


def _field_for_ticket(
    ticket: Ticket,
    field: CustomField | str | int,
    lookup_type: str = CustomFieldLookup.TICKET,
) -> CustomField:
    applicable = custom_fields_for_queue(ticket.queue_id, lookup_type)
    for candidate in applicable:
        if (
            field == candidate
            or field == candidate.pk
            or (
                isinstance(field, str) and candidate.name.casefold() == field.casefold()
            )
        ):
            return candidate
    raise NotFound(
        f"Custom field '{field}' does not apply to queue '{ticket.queue.name}'."
    )


def _validated(
    field: CustomField, values: Sequence[str] | str
) -> list[NormalizedValue]:
    raw = [values] if isinstance(values, str) else list(values)
    choices = (
        set(field.choices.values_list("name", flat=True))
        if field.type == "select"
        else None
    )
    normalized: list[NormalizedValue] = []
    for value in raw:
        item = normalize(field, value, choices=choices)
        if item.content not in (n.content for n in normalized):
            normalized.append(item)
    if field.max_values and len(normalized) > field.max_values:
        raise ValidationFailed(
            f"'{field.name}' takes at most {field.max_values} value(s); got {len(normalized)}."
        )
    return normalized


def initial_custom_field_values(
    *,
    ticket: Ticket,
    actor: User,
    values: Mapping[CustomField | str | int, Sequence[str] | str],
) -> None:
    """Values given at creation: no transactions, as they are part of the Create."""
    for key, raw in values.items():
        field = _field_for_ticket(ticket, key)
        rights.require(
            actor,
            rights.SET_INITIAL_CUSTOM_FIELD,
            ticket.queue,
            rights.MODIFY_CUSTOM_FIELD,
        )
        for item in _validated(field, raw):
            _create_value(ticket, field, item, actor)


def transaction_custom_field_values(
    *,
    txn: Transaction,
    ticket: Ticket,
    actor: User,
    values: Mapping[CustomField | str | int, Sequence[str] | str],
) -> None:
    """Values of transaction custom fields (e.g. "Time category" on a reply).

    They belong to the transaction itself, so they write no further history.
    Needs ModifyCustomField.
    """
    for key, raw in values.items():
        field = _field_for_ticket(ticket, key, CustomFieldLookup.TRANSACTION)
        rights.require(actor, rights.MODIFY_CUSTOM_FIELD, ticket)
        for item in _validated(field, raw):
            CustomFieldValue.objects.create(
                custom_field=field,
                transaction=txn,
                content=item.content,
                sort_key=item.sort_key,
                sort_key_high=item.sort_key_high,
                creator=actor,
            )


def _create_value(
    ticket: Ticket, field: CustomField, item: NormalizedValue, actor: User
) -> CustomFieldValue:
    return CustomFieldValue.objects.create(
        custom_field=field,
        ticket=ticket,
        content=item.content,
        sort_key=item.sort_key,
        sort_key_high=item.sort_key_high,
        creator=actor,
    )


@transaction.atomic
def set_custom_field(
    *,
    ticket: Ticket,
    field: CustomField | str | int,
    values: Sequence[str] | str,
    actor: User,
) -> list:
    """Make the field's values exactly `values` (empty list clears it).

    One CustomField transaction per value added or removed; a single-value field that
    changes gets one transaction with old and new. Returns the transactions written.
    """
    ticket = lock_ticket(ticket)
    field = _field_for_ticket(ticket, field)
    rights.require(actor, rights.MODIFY_CUSTOM_FIELD, ticket)
    wanted = _validated(field, values) if values not in ("", None) else []
    current = list(CustomFieldValue.objects.filter(ticket=ticket, custom_field=field))
    current_contents = {v.content for v in current}
    wanted_contents = {w.content for w in wanted}
    removed = [v for v in current if v.content not in wanted_contents]
    added = [w for w in wanted if w.content not in current_contents]
    written = []
    if field.is_single and len(removed) == 1 and len(added) == 1:
        old_value = removed[0]
        new_value = _create_value(ticket, field, added[0], actor)
        old_content, old_pk = old_value.content, old_value.pk
        old_value.delete()
        return [
            record_transaction(
                ticket=ticket,
                type=TransactionType.CUSTOM_FIELD,
                actor=actor,
                field=str(field.pk),
                old=old_content,
                new=new_value.content,
                old_reference=old_pk,
                new_reference=new_value.pk,
            )
        ]
    for value in removed:
        content, pk = value.content, value.pk
        value.delete()
        written.append(
            record_transaction(
                ticket=ticket,
                type=TransactionType.CUSTOM_FIELD,
                actor=actor,
                field=str(field.pk),
                old=content,
                old_reference=pk,
            )
        )
    for item in added:
        value = _create_value(ticket, field, item, actor)
        written.append(
            record_transaction(
                ticket=ticket,
                type=TransactionType.CUSTOM_FIELD,
                actor=actor,
                field=str(field.pk),
                new=value.content,
                new_reference=value.pk,
            )
        )
    return written
