"""The history of user records: who created a user or changed their name, address,
privileges or status, and when.

Each change is a Transaction on the user object (`ObjectType.USER`), appended in the
database transaction that saved the user, so GET /user/:id/history has something to
show. Changes of group membership are recorded on the group (`add_group_member`) and
listed with the user's history by `user_history`.

Callers that save a user (the REST API, the admin, the mail gateway's automatic
accounts) check the actor's rights first: these functions record, they do not decide.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q, QuerySet

from tracker.history import record_transaction
from tracker.models import ObjectType, Transaction, TransactionType, User

# Fields whose changes are history, by model attribute (the stable key stored in
# Transaction.field). `is_active` is recorded as Enabled/Disabled, as RT does.
TRACKED_FIELDS = ("username", "email", "real_name", "organization", "is_privileged")
Values = Mapping[str, object]


def user_values(user: User) -> dict[str, object]:
    """The tracked fields of `user` as they are now (take it before changing the user)."""
    return {name: getattr(user, name) for name in (*TRACKED_FIELDS, "is_active")}


def stored_user_values(user: User) -> dict[str, object] | None:
    """The tracked fields of `user` as the database holds them; None for a new user."""
    if user.pk is None:
        return None
    stored = User.objects.filter(pk=user.pk).first()
    return None if stored is None else user_values(stored)


def record_user_saved(
    *, user: User, before: Values | None, actor: User
) -> list[Transaction]:
    """Append the history of a user record just saved in the caller's atomic block.

    `before` is `user_values()` taken before the change, or None when the user was
    created: then one Create transaction. Otherwise one Set transaction per changed
    field (raw old and new values) and Enabled or Disabled when `is_active` changed.
    Side effects: those of `record_transaction` (`transaction_committed` on commit).
    """
    if before is None:
        return [_record(user, actor, TransactionType.CREATE)]
    after = user_values(user)
    recorded = [
        _record(
            user, actor, TransactionType.SET, field=name, old=before[name], new=value
        )
        for name, value in after.items()
        if name != "is_active" and before.get(name) != value
    ]
    if before.get("is_active") != after["is_active"]:
        kind = TransactionType.ENABLED if user.is_active else TransactionType.DISABLED
        recorded.append(_record(user, actor, kind))
    return recorded


@transaction.atomic
def save_user(*, user: User, actor: User, before: Values | None = None) -> User:
    """Save `user` (created when it has no primary key) and record the change.

    `before` defaults to the row as stored, read before saving. Side effects: the
    user's history (`record_user_saved`).
    """
    if before is None:
        before = stored_user_values(user)
    user.save()
    record_user_saved(user=user, before=before, actor=actor)
    return user


def user_history(user: User) -> QuerySet[Transaction]:
    """Transactions about `user`: changes to the record, and being added to or removed
    from groups (recorded on the group, with the member's id as the value)."""
    member = str(user.pk)
    membership = Q(object_type=ObjectType.GROUP, data__principal_type="user") & (
        Q(type=TransactionType.ADD_MEMBER, new_value=member)
        | Q(type=TransactionType.DELETE_MEMBER, old_value=member)
    )
    return Transaction.objects.filter(
        Q(object_type=ObjectType.USER, object_id=user.pk) | membership
    ).order_by("id")


def _record(
    user: User,
    actor: User,
    kind: TransactionType,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
) -> Transaction:
    return record_transaction(
        ticket=None,
        type=kind,
        actor=actor,
        field=field,
        old=_raw(old),
        new=_raw(new),
        object_type=ObjectType.USER,
        object_id=user.pk,
    )


def _raw(value: object) -> object:
    """Flags as RT stores them (1 and 0)."""
    return int(value) if isinstance(value, bool) else value
