"""Users and groups: lists, one record, group members."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import rights, services
from tracker.api import inputs
from tracker.api.base import (
    ApiView,
    format_date,
    paginate,
    ref,
    requested_fields,
    user_ref,
)
from tracker.api.config import save_record
from tracker.api.search import json_search
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.models import Group, GroupDomain, GroupMember, User
from tracker.services.principals import resolve_principal
from tracker.services.users import record_user_saved, user_values

USER_SEARCH_FIELDS = {
    "id": "pk",
    "Name": "username",
    "EmailAddress": "email",
    "RealName": "real_name",
    "Organization": "organization",
}
GROUP_SEARCH_FIELDS = {"id": "pk", "Name": "name", "Description": "description"}
USER_FIELDS = (
    "Name",
    "EmailAddress",
    "RealName",
    "Organization",
    "Lang",
    "Timezone",
    "Privileged",
    "Disabled",
    "Created",
)
GROUP_FIELDS = ("Name", "Description", "Domain", "Disabled")


def _may_list_users(user: User) -> bool:
    return user.is_privileged or rights.has_right(user, rights.ADMIN_USERS)


def _may_list_groups(user: User) -> bool:
    return user.is_privileged or rights.has_right(user, rights.ADMIN_GROUPS)


# --- users --------------------------------------------------------------------------------


def user_value(user: User, name: str) -> Any:
    return {
        "Name": user.username,
        "EmailAddress": user.email,
        "RealName": user.real_name,
        "Organization": user.organization,
        "Lang": user.language,
        "Timezone": user.time_zone,
        "Privileged": 1 if user.is_privileged else 0,
        "Disabled": 0 if user.is_active else 1,
        "Created": format_date(user.date_joined),
    }[name]


def user_item(request: Request, user: User, fields: list[str]) -> dict[str, Any]:
    record = user_ref(request, user) or {}
    for name in fields:
        if name in USER_FIELDS:
            record[name] = user_value(user, name)
    return record


def get_user_for(request: Request, key: int | str) -> User:
    """Everyone may read their own record; others need to be staff (or AdminUsers)."""
    found = (
        User.objects.filter(pk=key).first()
        if isinstance(key, int)
        else User.objects.filter(username=key).first()
    )
    if found is None and isinstance(key, str) and "@" in key:
        found = User.objects.filter(email__iexact=key).first()
    if found is None or (
        found.pk != request.user.pk and not _may_list_users(request.user)
    ):
        raise NotFound(f"No user '{key}' that you may see.")
    return found


class UsersView(ApiView):
    """GET /users, /users/privileged, /users/unprivileged; POST /users (JSON search)."""

    privileged: bool | None = None

    def _users(self, request: Request) -> QuerySet[User]:
        if not _may_list_users(request.user):
            raise PermissionDenied("Permission denied: only staff may list users.")
        users = User.objects.order_by("id")
        if self.privileged is not None:
            users = users.filter(is_privileged=self.privileged)
        if request.query_params.get("find_disabled_rows") not in ("1", "true"):
            users = users.filter(is_active=True)
        return users

    def get(self, request: Request) -> Response:
        fields = requested_fields(request)
        return Response(
            paginate(
                request, self._users(request), lambda u: user_item(request, u, fields)
            )
        )

    def post(self, request: Request) -> Response:
        users = json_search(self._users(request), request.data, USER_SEARCH_FIELDS)
        fields = requested_fields(request)
        return Response(
            paginate(request, users, lambda u: user_item(request, u, fields))
        )


class UserView(ApiView):
    """GET /user/:id or /user/:name"""

    def get(self, request: Request, key: int | str) -> Response:
        user = get_user_for(request, key)
        record: dict[str, Any] = {"id": user.pk}
        for name in USER_FIELDS:
            record[name] = user_value(user, name)
        record["_hyperlinks"] = [
            {"ref": "self", **user_ref(request, user)},
            {
                "ref": "memberships",
                "_url": user_ref(request, user)["_url"] + "/groups",
            },
        ]
        return Response(record)


class UserGroupsView(ApiView):
    """GET /user/:id/groups — the groups the user is directly a member of."""

    def get(self, request: Request, key: int | str) -> Response:
        user = get_user_for(request, key)
        groups = Group.objects.filter(memberships__user=user).order_by("id")
        return Response(
            paginate(request, groups, lambda g: ref(request, "group", g.pk))
        )


# --- groups -------------------------------------------------------------------------------


def group_value(group: Group, name: str) -> Any:
    return {
        "Name": group.name,
        "Description": group.description,
        "Domain": "UserDefined"
        if group.domain == GroupDomain.USER_DEFINED
        else "SystemInternal",
        "Disabled": 0 if group.is_active else 1,
    }[name]


def group_item(request: Request, group: Group, fields: list[str]) -> dict[str, Any]:
    record = ref(request, "group", group.pk)
    for name in fields:
        if name in GROUP_FIELDS:
            record[name] = group_value(group, name)
    return record


def get_group_for(request: Request, pk: int) -> Group:
    group = Group.objects.filter(pk=pk).first()
    if group is None or not _may_list_groups(request.user):
        raise NotFound(f"No group #{pk} that you may see.")
    return group


def member_ref(request: Request, member: GroupMember) -> dict[str, Any]:
    if member.user_id:
        return user_ref(request, member.user)
    return ref(request, "group", member.member_group_id)


class GroupsView(ApiView):
    """GET /groups; POST /groups (JSON search)."""

    def _groups(self, request: Request) -> QuerySet[Group]:
        if not _may_list_groups(request.user):
            raise PermissionDenied("Permission denied: only staff may list groups.")
        groups = Group.objects.order_by("id")
        if request.query_params.get("find_disabled_rows") not in ("1", "true"):
            groups = groups.filter(is_active=True)
        return groups

    def get(self, request: Request) -> Response:
        fields = requested_fields(request)
        return Response(
            paginate(
                request, self._groups(request), lambda g: group_item(request, g, fields)
            )
        )

    def post(self, request: Request) -> Response:
        groups = json_search(self._groups(request), request.data, GROUP_SEARCH_FIELDS)
        fields = requested_fields(request)
        return Response(
            paginate(request, groups, lambda g: group_item(request, g, fields))
        )


class GroupView(ApiView):
    """GET /group/:id"""

    def get(self, request: Request, pk: int) -> Response:
        group = get_group_for(request, pk)
        record: dict[str, Any] = {"id": group.pk}
        for name in GROUP_FIELDS:
            record[name] = group_value(group, name)
        members = (
            GroupMember.objects.filter(group=group)
            .select_related("user")
            .order_by("id")
        )
        record["Members"] = [member_ref(request, m) for m in members]
        links = [
            {"ref": "self", **ref(request, "group", group.pk)},
            {
                "ref": "members",
                "_url": ref(request, "group", group.pk)["_url"] + "/members",
            },
        ]
        record["_hyperlinks"] = links
        return Response(record)


class GroupMembersView(ApiView):
    """GET /group/:id/members (`recursively=1`, `users=0`, `groups=0`);
    PUT adds the principals listed in the body (names, emails or 'group:Name')."""

    def get(self, request: Request, pk: int) -> Response:
        group = get_group_for(request, pk)
        params = request.query_params
        want_users = params.get("users", "1") != "0"
        want_groups = params.get("groups", "1") != "0"
        items: list[dict[str, Any]] = []
        if params.get("recursively") in ("1", "true"):
            groups, users = _expand(group)
            if want_groups:
                items += [ref(request, "group", g) for g in sorted(groups)]
            if want_users:
                items += [
                    user_ref(request, u)
                    for u in User.objects.filter(pk__in=users).order_by("id")
                ]
        else:
            for member in (
                GroupMember.objects.filter(group=group)
                .select_related("user")
                .order_by("id")
            ):
                if (member.user_id and want_users) or (
                    member.member_group_id and want_groups
                ):
                    items.append(member_ref(request, member))
        return Response(paginate(request, items, lambda item: item))

    def put(self, request: Request, pk: int) -> Response:
        group = get_group_for(request, pk)
        names = self.json_list(request)
        messages = []
        for name in names:
            if isinstance(name, bool) or not isinstance(name, str | int):
                raise ValidationFailed(
                    "Members must be user names, ids or 'group:Name'."
                )
            member = (
                User.objects.filter(pk=inputs.identifier("Member", name)).first()
                if isinstance(name, int)
                else resolve_principal(name, create=False)
            )
            if member is None:
                raise ValidationFailed(f"No user #{name}.")
            services.add_group_member(group=group, member=member, actor=request.user)
            messages.append(f"Member added: {member}")
        return Response(messages)


class GroupMemberView(ApiView):
    """DELETE /group/:id/member/:member_id — a user with that id, else a group."""

    def delete(self, request: Request, pk: int, member_id: int) -> Response:
        group = get_group_for(request, pk)
        membership = (
            GroupMember.objects.filter(group=group, user_id=member_id)
            .select_related("user")
            .first()
            or GroupMember.objects.filter(group=group, member_group_id=member_id)
            .select_related("member_group")
            .first()
        )
        if membership is None:
            raise NotFound(f"#{member_id} is not a member of '{group}'.")
        member = membership.user or membership.member_group
        services.remove_group_member(group=group, member=member, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _expand(group: Group) -> tuple[set[int], set[int]]:
    """(nested group ids, user ids) reachable from `group`, guarding against loops."""
    groups: set[int] = set()
    users: set[int] = set()
    frontier = {group.pk}
    while frontier:
        rows = list(
            GroupMember.objects.filter(group_id__in=frontier).values_list(
                "user_id", "member_group_id"
            )
        )
        users |= {u for u, _ in rows if u}
        found = {g for _, g in rows if g} - groups - {group.pk}
        groups |= found
        frontier = found
    return groups, users


# --- writes -------------------------------------------------------------------------------

# What a user may change on their own record with ModifySelf.
SELF_SERVICE_FIELDS = {"RealName", "EmailAddress", "Lang", "Timezone", "Organization"}


class UserCreateView(ApiView):
    """POST /user — needs AdminUsers."""

    def post(self, request: Request) -> Response:
        rights.require(request.user, rights.ADMIN_USERS)
        data = self.json_object(request)
        if "Name" not in data:
            raise ValidationFailed("Name is required.")
        user = User()
        # No usable password: basic auth needs one set in the admin; tokens work.
        user.set_unusable_password()
        with transaction.atomic():
            user, _ = save_record("user", user, data, defaults={"is_active": True})
            record_user_saved(user=user, before=None, actor=request.user)
        body = user_ref(request, user)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["_url"]}
        )


class UserEditView(UserView):
    """GET, PUT, DELETE (= disable) /user/:id or /user/:name.

    AdminUsers may change anyone but the system users; with ModifySelf a user may change
    their own name, address, language, time zone and organisation.
    """

    def _editable(self, request: Request, key: int | str, data: dict[str, Any]) -> User:
        user = get_user_for(request, key)
        if user.is_system:
            raise PermissionDenied(f"Permission denied: {user} is a system user.")
        if rights.has_right(request.user, rights.ADMIN_USERS):
            return user
        if user.pk == request.user.pk and set(data) <= SELF_SERVICE_FIELDS:
            rights.require(request.user, rights.MODIFY_SELF)
            return user
        raise PermissionDenied("Permission denied: you need AdminUsers for this.")

    def put(self, request: Request, key: int | str) -> Response:
        data = self.json_object(request)
        user = self._editable(request, key, data)
        with transaction.atomic():
            # Before validation: the model form writes the new values into `user`.
            before = user_values(user)
            _, messages = save_record("user", user, data, label=f"User {user.username}")
            record_user_saved(user=user, before=before, actor=request.user)
        return Response(messages)

    def delete(self, request: Request, key: int | str) -> Response:
        user = self._editable(request, key, {"Disabled": 1})
        with transaction.atomic():
            before = user_values(user)
            save_record("user", user, {"Disabled": 1})
            record_user_saved(user=user, before=before, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupCreateView(ApiView):
    """POST /group — needs AdminGroups."""

    def post(self, request: Request) -> Response:
        rights.require(request.user, rights.ADMIN_GROUPS)
        data = self.json_object(request)
        if "Name" not in data:
            raise ValidationFailed("Name is required.")
        group = Group(domain=GroupDomain.USER_DEFINED)
        group, _ = save_record("group", group, data, defaults={"is_active": True})
        body = ref(request, "group", group.pk)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["_url"]}
        )


class GroupEditView(GroupView):
    """GET, PUT, DELETE (= disable) /group/:id — changes need AdminGroups."""

    def _editable(self, request: Request, pk: int) -> Group:
        group = get_group_for(request, pk)
        rights.require(request.user, rights.ADMIN_GROUPS)
        if group.is_system:
            raise ValidationFailed(f"The system group '{group}' cannot be changed.")
        return group

    def put(self, request: Request, pk: int) -> Response:
        data = self.json_object(request)
        group = self._editable(request, pk)
        _, messages = save_record("group", group, data, label=f"Group {group.name}")
        return Response(messages)

    def delete(self, request: Request, pk: int) -> Response:
        group = self._editable(request, pk)
        save_record("group", group, {"Disabled": 1})
        return Response(status=status.HTTP_204_NO_CONTENT)
