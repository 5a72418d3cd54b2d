"""Forms of the admin's service pages, and the configuration forms that validate input."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    UserChangeForm,
    UsernameField,
)
from django.db import models
from django.db.models import QuerySet

from queues.models import Queue
from tracker import rights
from tracker.errors import DomainError
from tracker.models import (
    QUEUE_WATCHER_ROLES,
    CustomField,
    Group,
    GroupDomain,
    Role,
    SystemGroup,
    User,
)
from tracker.services.principals import Principal, resolve_principal

SCOPE_LABELS = {
    rights.Scope.QUEUE: "per queue or global",
    rights.Scope.SYSTEM: "global only",
}
CATEGORY_ORDER = {"General": 0, "Staff": 1, "Admin": 2, "Status": 3}


class PrincipalKind(models.TextChoices):
    USER = "user", "User"
    GROUP = "group", "Group"
    ROLE = "role", "Role (whoever holds it on a ticket)"


def right_choices() -> list[tuple[str, Any]]:
    """Every right, grouped by category and scope: "Admin (global only)" and so on."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    ordered = sorted(
        rights.all_rights().values(),
        key=lambda i: (
            CATEGORY_ORDER.get(i.category, len(CATEGORY_ORDER)),
            i.scope != rights.Scope.QUEUE,
            i.name,
        ),
    )
    for info in ordered:
        label = f"{info.category} ({SCOPE_LABELS.get(info.scope, info.scope)})"
        grouped.setdefault(label, []).append(
            (info.name, f"{info.name}: {info.description}")
        )
    return [("", "---------"), *grouped.items()]


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.name} (system group)" if obj.is_system else obj.name


def _resolve_user(text: str) -> User:
    """An existing user named by username or email address."""
    try:
        principal = resolve_principal(text, create=False)
    except DomainError as exc:
        raise forms.ValidationError(exc.message) from None
    if not isinstance(principal, User):
        raise forms.ValidationError("Name a user here; choose groups below.")
    return principal


class GrantRightForm(forms.Form):
    """One principal, one right, one queue (or all queues)."""

    kind = forms.ChoiceField(
        label="Grant to",
        choices=PrincipalKind.choices,
        initial=PrincipalKind.USER,
        widget=forms.RadioSelect,
    )
    user = forms.CharField(
        required=False, help_text="Username or email address of an existing user."
    )
    group = GroupChoiceField(queryset=Group.objects.none(), required=False)
    role = forms.ChoiceField(
        required=False,
        choices=[("", "---------"), *Role.choices],
        help_text="Requestor + ShowTicket lets each requestor see their own tickets.",
    )
    right = forms.ChoiceField(choices=())
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.none(),
        required=False,
        empty_label="All queues (a global grant)",
        help_text="Rights marked 'global only' cannot be granted on one queue.",
    )

    def __init__(self, *args: Any, queues: QuerySet[Queue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["right"].choices = right_choices()
        self.fields["group"].queryset = Group.objects.filter(is_active=True)
        self.fields["queue"].queryset = queues

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == PrincipalKind.USER:
            if not data.get("user"):
                self.add_error("user", "Name the user to grant the right to.")
            else:
                try:
                    data["user"] = _resolve_user(data["user"])
                except forms.ValidationError as exc:
                    self.add_error("user", exc)
        elif kind == PrincipalKind.GROUP and not data.get("group"):
            self.add_error("group", "Choose the group to grant the right to.")
        elif kind == PrincipalKind.ROLE and not data.get("role"):
            self.add_error("role", "Choose the role to grant the right to.")
        return data

    def principal(self) -> dict[str, Any]:
        """The grant_right() keywords naming the chosen principal, and only it."""
        kind = self.cleaned_data["kind"]
        return {
            "user": self.cleaned_data["user"] if kind == PrincipalKind.USER else None,
            "group": self.cleaned_data["group"]
            if kind == PrincipalKind.GROUP
            else None,
            "role": self.cleaned_data["role"] if kind == PrincipalKind.ROLE else "",
        }


class _UserOrGroupForm(forms.Form):
    user = forms.CharField(required=False, help_text="Username or email address.")
    group = GroupChoiceField(queryset=Group.objects.none(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("group")):
            raise forms.ValidationError("Give either a user or a group.")
        return data


class AddQueueWatcherForm(_UserOrGroupForm):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in QUEUE_WATCHER_ROLES])
    field_order = ["role", "user", "group"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "user"
        ].help_text = (
            "Username or email address; an unknown address becomes a new user."
        )
        self.fields["group"].queryset = Group.objects.filter(is_active=True)

    def principal(self) -> Principal | str:
        """A group, or the typed user text for add_queue_watcher() to resolve."""
        return self.cleaned_data["group"] or self.cleaned_data["user"]


class AddGroupMemberForm(_UserOrGroupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(
            domain=GroupDomain.USER_DEFINED, is_active=True
        )

    def clean_user(self) -> User | None:
        text = self.cleaned_data.get("user")
        return _resolve_user(text) if text else None

    def member(self) -> Principal:
        return self.cleaned_data["group"] or self.cleaned_data["user"]


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "description", "is_active"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name in SystemGroup.values:
            raise forms.ValidationError(f"'{name}' is the name of a system group.")
        # The form has no domain field, so the (domain, name) constraint is checked here.
        taken = Group.objects.filter(domain=GroupDomain.USER_DEFINED, name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"A group named '{name}' already exists.")
        return name


class CustomFieldAdminForm(forms.ModelForm):
    class Meta:
        model = CustomField
        fields = [
            "name",
            "description",
            "type",
            "lookup_type",
            "is_active",
            "max_values",
            "pattern",
            "pattern_description",
            "sort_order",
        ]

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise forms.ValidationError(
                f"This is not a valid regular expression: {exc}."
            ) from None
        return pattern


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "real_name", "is_privileged")
        field_classes = {"username": UsernameField}


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = [
            "username",
            "password",
            "real_name",
            "email",
            "organization",
            "language",
            "time_zone",
            "is_privileged",
            "is_active",
            "is_staff",
            "is_superuser",
            "notify_own_actions",
        ]
