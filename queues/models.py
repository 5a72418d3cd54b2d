"""Queues: where tickets live, with their mail addresses, lifecycle and defaults."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from lifecycles.models import Lifecycle


class QueueQuerySet(models.QuerySet["Queue"]):
    def active(self) -> QueueQuerySet:
        return self.filter(is_active=True)

    def by_name(self, name: str) -> Queue:
        """Queue names match case-insensitively, as in RT. Raises Queue.DoesNotExist."""
        return self.get(name__iexact=name.strip())


class Queue(models.Model):
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    correspond_address = models.EmailField(
        blank=True, help_text="Replies to this address become correspondence."
    )
    comment_address = models.EmailField(
        blank=True, help_text="Mail to this address becomes private comments."
    )
    subject_tag = models.CharField(
        max_length=120,
        blank=True,
        help_text="Tag used in subjects instead of the tracker's name, e.g. 'CSIRT'.",
    )
    lifecycle = models.ForeignKey(
        Lifecycle, on_delete=models.PROTECT, related_name="queues"
    )
    initial_priority = models.IntegerField(default=0)
    final_priority = models.IntegerField(default=0)
    default_due_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="New tickets are due this many days after creation.",
    )
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Unticked means disabled.")

    objects = QueueQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="queue_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:queues_queue_change", args=[self.pk])
