"""Saved searches: a named TicketSQL query with its ordering, private or shared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tracker.models.principals import Group


class SavedSearch(models.Model):
    """A user's search. With a group it is shared with that group's members."""

    name = models.CharField(max_length=200)
    query = models.TextField(blank=True)
    order_by = models.CharField(max_length=64, default="LastUpdated")
    order = models.CharField(max_length=4, default="DESC")
    columns = models.CharField(
        max_length=500,
        blank=True,
        help_text="Result columns in order, comma-separated.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        help_text="Shared with the members of this group; empty means private.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="savedsearch_owner_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        query = {"q": self.query, "order_by": self.order_by, "order": self.order}
        if self.columns:
            query["col"] = self.columns.split(",")
        return reverse("ticket-search") + "?" + urlencode(query, doseq=True)
