"""The admin history: who changed rights, lifecycles, scrips, queues and users, and when.

Rows are only ever added. The model refuses updates and deletes, the admin is
read-only, and on PostgreSQL a trigger refuses UPDATE and DELETE from any client.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class Area(models.TextChoices):
    RIGHTS = "rights", "Rights and group membership"
    LIFECYCLE = "lifecycle", "Lifecycles"
    SCRIP = "scrip", "Scrips and templates"
    QUEUE = "queue", "Queues"
    USER = "user", "Users"


class Action(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # The actor as it was at the time: a plain id and name, so deleting a user
    # never touches history.
    actor_id = models.BigIntegerField(null=True, blank=True, editable=False)
    actor_name = models.CharField(max_length=150, editable=False)
    area = models.CharField(max_length=16, choices=Area.choices, editable=False)
    action = models.CharField(max_length=8, choices=Action.choices, editable=False)
    object_type = models.CharField(max_length=100, editable=False)
    object_id = models.CharField(max_length=64, editable=False)
    object_repr = models.CharField(max_length=200, editable=False)
    changes = models.JSONField(default=dict, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")
