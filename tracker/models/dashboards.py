"""Dashboards: a named page of saved searches and metric charts, private or shared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tracker.models.principals import Group
from tracker.models.saved import SavedSearch


class Dashboard(models.Model):
    """A user's dashboard. With a group it is shared with that group's members."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dashboards",
    )
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dashboards",
        help_text="Shared with the members of this group; empty means private.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="dashboard_owner_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard-detail", args=[self.pk])


class DashboardItemKind(models.TextChoices):
    SEARCH = "search", "Saved search"
    CHART = "chart", "Chart"


class DashboardItem(models.Model):
    """One block of a dashboard: the first rows of a saved search, or a metric chart.

    A chart is one of `tracker.metrics.CHARTS`, over `days` days and optionally one queue
    (and, for the custom-field breakdown, one select field); its numbers are computed for
    whoever looks at the dashboard, so sharing never widens what anyone sees.
    """

    dashboard = models.ForeignKey(
        Dashboard, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=DashboardItemKind.choices)
    saved_search = models.ForeignKey(
        SavedSearch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dashboard_items",
    )
    chart = models.CharField(max_length=32, blank=True)
    days = models.PositiveIntegerField(default=30)
    queue = models.ForeignKey(
        "queues.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    custom_field = models.ForeignKey(
        "tracker.CustomField",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    rows = models.PositiveIntegerField(default=10)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.dashboard}: {self.chart or self.saved_search}"
