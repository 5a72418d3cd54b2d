"""Writes an AuditEntry whenever a tracked admin object is created, changed or deleted.

Model signals are used on purpose, against the house rule for domain code: the audit
must see every write, whether it comes through a service, the admin, the API or a
data migration, without each of them remembering to call it. Rows written with
QuerySet.update() bypass signals; the services write these objects with save().
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import (  # noqa: TID251 - see the module docstring
    post_delete,
    post_save,
    pre_save,
)

from audit.context import _LazyRequestUser, current_actor
from audit.models import Action, Area, AuditEntry

# (app_label, model) -> area
TRACKED: dict[tuple[str, str], str] = {
    ("tracker", "ACE"): Area.RIGHTS,
    ("tracker", "GroupMember"): Area.RIGHTS,
    ("tracker", "Group"): Area.RIGHTS,
    ("lifecycles", "Lifecycle"): Area.LIFECYCLE,
    ("lifecycles", "LifecycleMap"): Area.LIFECYCLE,
    ("scrips", "Scrip"): Area.SCRIP,
    ("scrips", "ScripQueue"): Area.SCRIP,
    ("scrips", "Template"): Area.SCRIP,
    ("queues", "Queue"): Area.QUEUE,
    ("tracker", "User"): Area.USER,
    ("twofactor", "TOTPDevice"): Area.USER,  # enrolment, disabling, admin reset
}
# Recorded as "changed" without their values.
SECRET_FIELDS = {"password", "secret"}
# Not worth an entry on their own.
NOISE_FIELDS = {"last_login", "last_step"}


def _snapshot(instance: models.Model) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        values[field.attname] = value if _is_plain(value) else str(value)
    return values


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))


def _actor() -> tuple[int | None, str]:
    actor = current_actor()
    if isinstance(actor, _LazyRequestUser):
        actor = actor.resolve()
    if actor is None:
        return None, "system"
    return actor.pk, str(getattr(actor, "username", actor))[:150]


def _write(instance: models.Model, area: str, action: str, changes: dict) -> None:
    actor_id, actor_name = _actor()
    AuditEntry.objects.create(
        actor_id=actor_id,
        actor_name=actor_name,
        area=area,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, new in after.items():
        old = before.get(name)
        if old == new or name in NOISE_FIELDS:
            continue
        changes[name] = "changed" if name in SECRET_FIELDS else [old, new]
    return changes


def _before_save(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if kw.get("raw") or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old is not None else None


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kw: Any
) -> None:
    if kw.get("raw"):
        return
    area = TRACKED[(sender._meta.app_label, sender.__name__)]
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        shown = {k: ("set" if k in SECRET_FIELDS else v) for k, v in after.items()}
        _write(instance, area, Action.CREATE, shown)
        return
    changes = _diff(before, after)
    if changes:
        _write(instance, area, Action.CHANGE, changes)


def _after_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    area = TRACKED[(sender._meta.app_label, sender.__name__)]
    snapshot = {k: v for k, v in _snapshot(instance).items() if k not in SECRET_FIELDS}
    _write(instance, area, Action.DELETE, snapshot)


def connect() -> None:
    for app_label, model_name in TRACKED:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # an app not installed in this configuration
            continue
        uid = f"audit:{app_label}.{model_name}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + ":pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ":post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ":del")
