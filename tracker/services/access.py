"""Granting and revoking rights, and group membership."""

from __future__ import annotations

from django.db import transaction

from queues.models import Queue
from tracker import rights
from tracker.errors import NotFound, ValidationFailed
from tracker.history import record_transaction
from tracker.models import (
    ACE,
    Group,
    GroupDomain,
    GroupMember,
    ObjectType,
    Role,
    Transaction,
    TransactionType,
    User,
)
from tracker.services.principals import Principal


def _principal_fields(*, user: User | None, group: Group | None, role: str) -> dict:
    given = [p for p in (user, group, role or None) if p is not None]
    if len(given) != 1:
        raise ValidationFailed("Grant a right to exactly one user, group or role.")
    if role and role not in Role.values:
        raise ValidationFailed(
            f"'{role}' is not a role (use one of {', '.join(Role.values)})."
        )
    return {"user": user, "group": group, "role": role or ""}


def _require_acl_admin(actor: User, queue: Queue | None) -> None:
    if queue is None:
        rights.require(actor, rights.SUPER_USER)
    else:
        rights.require(actor, rights.MODIFY_ACL, queue, rights.ADMIN_QUEUE)


def _principal_key(ace: ACE) -> str:
    """The raw key of the grantee: a user or group id, or a role name."""
    return ace.role or str(ace.user_id or ace.group_id)


def _grant_data(ace: ACE) -> dict:
    kind = "role" if ace.role else ("group" if ace.group_id else "user")
    return {"principal_type": kind}


def _acl_txn_target(queue: Queue | None) -> dict:
    if queue is None:
        return {"object_type": ObjectType.SYSTEM, "object_id": 0}
    return {"object_type": ObjectType.QUEUE, "object_id": queue.pk}


@transaction.atomic
def grant_right(
    *,
    right: str,
    actor: User,
    user: User | None = None,
    group: Group | None = None,
    role: str = "",
    queue: Queue | None = None,
) -> ACE:
    """Grant `right` to one principal, on one queue or globally. Idempotent.

    Needs SuperUser for global grants, ModifyACL (or AdminQueue) on the queue otherwise.
    Records a GrantRight transaction on the queue (or the system).
    """
    info = rights.all_rights().get(right)
    if info is None:
        raise ValidationFailed(f"'{right}' is not a right.")
    if queue is not None and info.scope == rights.Scope.SYSTEM:
        raise ValidationFailed(f"{right} can only be granted globally.")
    principal = _principal_fields(user=user, group=group, role=role)
    _require_acl_admin(actor, queue)
    ace, created = ACE.objects.get_or_create(right=right, queue=queue, **principal)
    if created:
        record_transaction(
            ticket=None,
            type=TransactionType.GRANT_RIGHT,
            actor=actor,
            field=right,
            new=_principal_key(ace),
            new_reference=ace.pk,
            data=_grant_data(ace),
            **_acl_txn_target(queue),
        )
    return ace


@transaction.atomic
def revoke_right(*, ace: ACE, actor: User) -> Transaction:
    """Remove one grant; records a RevokeRight transaction."""
    _require_acl_admin(actor, ace.queue)
    key, data, pk, right, queue = (
        _principal_key(ace),
        _grant_data(ace),
        ace.pk,
        ace.right,
        ace.queue,
    )
    ACE.objects.filter(pk=pk).delete()
    return record_transaction(
        ticket=None,
        type=TransactionType.REVOKE_RIGHT,
        actor=actor,
        field=right,
        old=key,
        old_reference=pk,
        data=data,
        **_acl_txn_target(queue),
    )


def _ancestors(group: Group) -> set[int]:
    """Ids of the group and every group that (transitively) contains it."""
    seen = {group.pk}
    frontier = {group.pk}
    while frontier:
        frontier = (
            set(
                GroupMember.objects.filter(member_group_id__in=frontier).values_list(
                    "group_id", flat=True
                )
            )
            - seen
        )
        seen |= frontier
    return seen


@transaction.atomic
def add_group_member(*, group: Group, member: Principal, actor: User) -> Transaction:
    """Add a user or a group to a user-defined group (no cycles). Needs AdminGroups."""
    rights.require(actor, rights.ADMIN_GROUPS)
    if group.domain != GroupDomain.USER_DEFINED:
        raise ValidationFailed(f"Membership of the system group '{group}' is computed.")
    if isinstance(member, Group):
        if member.domain != GroupDomain.USER_DEFINED:
            raise ValidationFailed("System groups cannot be members of other groups.")
        if member.pk in _ancestors(group):
            raise ValidationFailed(f"Adding '{member}' to '{group}' would make a loop.")
        lookup = {"member_group": member}
    else:
        lookup = {"user": member}
    _, created = GroupMember.objects.get_or_create(group=group, **lookup)
    if not created:
        raise ValidationFailed(f"{member} is already a member of '{group}'.")
    return record_transaction(
        ticket=None,
        type=TransactionType.ADD_MEMBER,
        actor=actor,
        field="member",
        new=member.pk,
        data={"principal_type": "group" if isinstance(member, Group) else "user"},
        object_type=ObjectType.GROUP,
        object_id=group.pk,
    )


@transaction.atomic
def remove_group_member(*, group: Group, member: Principal, actor: User) -> Transaction:
    rights.require(actor, rights.ADMIN_GROUPS)
    lookup = {"member_group": member} if isinstance(member, Group) else {"user": member}
    deleted, _ = GroupMember.objects.filter(group=group, **lookup).delete()
    if not deleted:
        raise NotFound(f"{member} is not a member of '{group}'.")
    return record_transaction(
        ticket=None,
        type=TransactionType.DELETE_MEMBER,
        actor=actor,
        field="member",
        old=member.pk,
        data={"principal_type": "group" if isinstance(member, Group) else "user"},
        object_type=ObjectType.GROUP,
        object_id=group.pk,
    )
