"""Lifecycles and the maps between them, stored as JSON so admins can edit them.

The rules live in `engine`; these models only hold the data and validate it through the engine.
Other apps read lifecycles through `lifecycles.registry`, not these models.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from lifecycles import engine


class LifecycleType(models.TextChoices):
    TICKET = "ticket", "Ticket"


class Lifecycle(models.Model):
    name = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    type = models.CharField(
        max_length=16, choices=LifecycleType.choices, default=LifecycleType.TICKET
    )
    # Blank is allowed on the JSON fields so that clean() reports problems in engine terms.
    initial = models.JSONField(default=list, blank=True)
    active = models.JSONField(default=list, blank=True)
    inactive = models.JSONField(default=list, blank=True)
    transitions = models.JSONField(
        default=dict,
        blank=True,
        help_text='Status -> allowed next statuses; "" lists creation statuses.',
    )
    rights = models.JSONField(
        default=list,
        blank=True,
        help_text='Ordered [pattern, right] pairs, e.g. ["* -> deleted", "DeleteTicket"].',
    )
    actions = models.JSONField(
        default=list,
        blank=True,
        help_text='Objects with "from", "to", "label" and "update" (respond, comment or "").',
    )
    defaults = models.JSONField(
        default=dict, blank=True, help_text='At least "on_create".'
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = engine.validate_definition(self.definition)
        if errors:
            raise ValidationError(errors)

    @property
    def definition(self) -> dict[str, Any]:
        """The dict form understood by `engine.Lifecycle.from_definition`."""
        return {
            "type": self.type,
            "initial": self.initial,
            "active": self.active,
            "inactive": self.inactive,
            "defaults": self.defaults,
            "transitions": self.transitions,
            "rights": self.rights,
            "actions": self.actions,
        }

    @property
    def statuses(self) -> list[str]:
        """All statuses in order; tolerant of unvalidated data, unlike the engine."""
        return [
            s
            for part in (self.initial, self.active, self.inactive)
            if isinstance(part, list)
            for s in part
        ]

    def as_engine(self) -> engine.Lifecycle:
        """The pure engine object; raises engine.LifecycleError if the data is invalid."""
        return engine.Lifecycle.from_definition(self.name, self.definition)


class LifecycleMap(models.Model):
    """How statuses translate when a ticket moves to a queue with another lifecycle."""

    source = models.ForeignKey(
        Lifecycle, on_delete=models.CASCADE, related_name="maps_from"
    )
    target = models.ForeignKey(
        Lifecycle, on_delete=models.CASCADE, related_name="maps_to"
    )
    mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text="Source status -> target status, for every source status.",
    )

    class Meta:
        ordering = ["source__name", "target__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target"], name="lifecycles_map_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"

    def clean(self) -> None:
        # A missing lifecycle is reported by the field itself.
        if self.source_id is None or self.target_id is None:
            return
        if self.source_id == self.target_id:
            raise ValidationError("A lifecycle needs no map to itself.")
        errors = engine.validate_map(
            self.mapping, self.source.statuses, self.target.statuses
        )
        if errors:
            raise ValidationError(errors)
