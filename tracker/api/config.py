"""Writes to configuration records (queues, users, groups) through model forms.

Like the admin, these records are configuration rather than ticket state: their own
fields change through validated model forms, with the right checked here first.
Memberships, watchers and grants still go through tracker.services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models, transaction
from django.forms.models import model_to_dict

from lifecycles.models import Lifecycle
from queues.admin import QueueForm
from queues.models import Queue
from tracker.admin.forms import GroupAdminForm
from tracker.errors import ValidationFailed
from tracker.models import User


def _taken(queryset: models.QuerySet, instance: models.Model) -> bool:
    if instance.pk is not None:
        queryset = queryset.exclude(pk=instance.pk)
    return queryset.exists()


class QueueApiForm(QueueForm):
    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if _taken(Queue.objects.filter(name__iexact=name), self.instance):
            raise forms.ValidationError(f"A queue named '{name}' already exists.")
        return name


class UserForm(forms.ModelForm):
    """What the API may change on a user; SuperUser and admin-site access are not
    offered here, only in the admin."""

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "real_name",
            "organization",
            "language",
            "time_zone",
            "is_privileged",
            "is_active",
        ]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and _taken(User.objects.filter(email__iexact=email), self.instance):
            raise forms.ValidationError(f"Another user has the address '{email}'.")
        return email


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return str(value) == "1"
    raise ValidationFailed(f"{name} must be 0 or 1.")


def _inverted_flag(name: str, value: Any) -> bool:
    return not _flag(name, value)


def _lifecycle(name: str, value: Any) -> int:
    found = (
        Lifecycle.objects.filter(name=str(value)).values_list("pk", flat=True).first()
    )
    if found is None:
        raise ValidationFailed(f"{name}: no lifecycle named '{value}'.")
    return found


def _scalar(name: str, value: Any) -> Any:
    if isinstance(value, dict | list):
        raise ValidationFailed(f"{name} must be a string or a number.")
    return "" if value is None else value


# RT field name -> (model field, converter from the JSON value to form data)
Converter = Callable[[str, Any], Any]
QUEUE_FIELDS: dict[str, tuple[str, Converter]] = {
    "Name": ("name", _scalar),
    "Description": ("description", _scalar),
    "Lifecycle": ("lifecycle", _lifecycle),
    "Disabled": ("is_active", _inverted_flag),
    "SortOrder": ("sort_order", _scalar),
    "CorrespondAddress": ("correspond_address", _scalar),
    "CommentAddress": ("comment_address", _scalar),
    "SubjectTag": ("subject_tag", _scalar),
    "InitialPriority": ("initial_priority", _scalar),
    "FinalPriority": ("final_priority", _scalar),
    "DefaultDueIn": ("default_due_days", _scalar),
}
USER_FIELDS: dict[str, tuple[str, Converter]] = {
    "Name": ("username", _scalar),
    "EmailAddress": ("email", _scalar),
    "RealName": ("real_name", _scalar),
    "Organization": ("organization", _scalar),
    "Lang": ("language", _scalar),
    "Timezone": ("time_zone", _scalar),
    "Privileged": ("is_privileged", _flag),
    "Disabled": ("is_active", _inverted_flag),
}
GROUP_FIELDS: dict[str, tuple[str, Converter]] = {
    "Name": ("name", _scalar),
    "Description": ("description", _scalar),
    "Disabled": ("is_active", _inverted_flag),
}
FORMS: dict[str, type[forms.ModelForm]] = {
    "queue": QueueApiForm,
    "user": UserForm,
    "group": GroupAdminForm,
}
FIELD_MAPS = {"queue": QUEUE_FIELDS, "user": USER_FIELDS, "group": GROUP_FIELDS}
IGNORED = {"id", "_url", "_hyperlinks", "type", "Created", "LastUpdated", "Creator"}


@transaction.atomic
def save_record(
    kind: str,
    instance: models.Model,
    data: dict[str, Any],
    *,
    defaults: dict[str, Any] | None = None,
    label: str = "",
) -> tuple[models.Model, list[str]]:
    """Validate `data` (RT names) with the kind's model form and save.

    Returns the saved record and RT-style messages naming each changed field.
    """
    fields = FIELD_MAPS[kind]
    unknown = sorted(set(data) - set(fields) - IGNORED)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
    form_class = FORMS[kind]
    initial = model_to_dict(instance, fields=form_class._meta.fields)
    form_data = {**initial, **(defaults or {})}
    for rt_name, (attr, convert) in fields.items():
        if rt_name in data:
            form_data[attr] = convert(rt_name, data[rt_name])
    # Unchecked boxes are absent from form data, not False.
    form_data = {k: v for k, v in form_data.items() if v is not False and v is not None}
    form = form_class(data=form_data, instance=instance)
    if not form.is_valid():
        problems = []
        for attr, errors in form.errors.items():
            rt_name = next((n for n, (a, _) in fields.items() if a == attr), attr)
            text = " ".join(errors)
            problems.append(text if attr == "__all__" else f"{rt_name}: {text}")
        raise ValidationFailed("; ".join(problems))
    messages = []
    if instance.pk is not None:
        for rt_name, (attr, _) in fields.items():
            if attr in form.changed_data:
                old = initial.get(attr)
                new = form.cleaned_data.get(attr)
                if isinstance(new, models.Model):
                    new = str(new)
                    old = str(type(form.cleaned_data[attr]).objects.get(pk=old))
                messages.append(f"{label}: {rt_name} changed from '{old}' to '{new}'")
    return form.save(), messages
