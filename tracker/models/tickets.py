"""Tickets and their watchers (the Requestor, Cc and AdminCc roles)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from queues.models import Queue
from tracker.models.principals import Group


class TicketType(models.TextChoices):
    TICKET = "ticket"
    REMINDER = "reminder"
    APPROVAL = "approval"


class Role(models.TextChoices):
    """Roles a principal can hold on a ticket. Owner is stored on the ticket itself."""

    OWNER = "Owner"
    REQUESTOR = "Requestor"
    CC = "Cc"
    ADMIN_CC = "AdminCc"


WATCHER_ROLES = (Role.REQUESTOR, Role.CC, Role.ADMIN_CC)
QUEUE_WATCHER_ROLES = (Role.CC, Role.ADMIN_CC)

NO_SUBJECT = "[no subject]"


class Ticket(models.Model):
    """A request, failure, outage or incident. Its id is the ticket number."""

    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
        help_text="Set once merged: the surviving ticket.",
    )
    type = models.CharField(
        max_length=16, choices=TicketType.choices, default=TicketType.TICKET
    )
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(max_length=200, default=NO_SUBJECT)
    status = models.CharField(max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_tickets"
    )
    priority = models.IntegerField(default=0)
    initial_priority = models.IntegerField(default=0)
    final_priority = models.IntegerField(default=0)
    time_estimated = models.IntegerField(default=0, help_text="Minutes.")
    time_worked = models.IntegerField(default=0, help_text="Minutes.")
    time_left = models.IntegerField(default=0, help_text="Minutes.")
    starts = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    resolved = models.DateTimeField(null=True, blank=True)
    told = models.DateTimeField(null=True, blank=True, help_text="Last contacted.")
    created = models.DateTimeField(default=timezone.now)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_tickets",
    )
    last_updated = models.DateTimeField(default=timezone.now)
    last_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["queue", "status"], name="ticket_queue_status"),
            # The home page's open tickets per queue and status: an index-only scan over
            # open tickets alone, whatever the size of the closed history. A lifecycle
            # with other inactive statuses still matches (the query excludes more).
            models.Index(
                fields=["queue", "status"],
                include=["id"],
                condition=models.Q(merged_into__isnull=True)
                & ~models.Q(status__in=["resolved", "rejected", "deleted"]),
                name="ticket_open_queue_status",
            ),
            models.Index(fields=["owner", "status"], name="ticket_owner_status"),
            models.Index(fields=["status", "priority"], name="ticket_status_priority"),
            models.Index(fields=["due"], name="ticket_due"),
            models.Index(fields=["created"], name="ticket_created"),
            models.Index(fields=["last_updated"], name="ticket_last_updated"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("ticket-detail", args=[self.pk])

    @property
    def effective_id(self) -> int:
        """The number that answers for this ticket: the survivor's once merged."""
        return self.merged_into_id or self.pk

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class TicketWatcher(models.Model):
    """A user or group holding a watcher role on one ticket."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="watchers"
    )
    role = models.CharField(
        max_length=16, choices=[(r.value, r.label) for r in WATCHER_ROLES]
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watching",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="watching"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, group__isnull=True)
                | models.Q(user__isnull=True, group__isnull=False),
                name="ticketwatcher_exactly_one_principal",
            ),
            models.UniqueConstraint(
                fields=["ticket", "role", "user"],
                condition=models.Q(user__isnull=False),
                name="ticketwatcher_user_unique",
            ),
            models.UniqueConstraint(
                fields=["ticket", "role", "group"],
                condition=models.Q(group__isnull=False),
                name="ticketwatcher_group_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "role"], name="ticketwatcher_user_role"),
            models.Index(fields=["group", "role"], name="ticketwatcher_group_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.group} as {self.role} on #{self.ticket_id}"

    @property
    def principal(self) -> object:
        return self.user or self.group


class QueueWatcher(models.Model):
    """A user or group watching every ticket of a queue as Cc or AdminCc."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="watchers")
    role = models.CharField(
        max_length=16, choices=[(r.value, r.label) for r in QUEUE_WATCHER_ROLES]
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="queue_watching",
    )
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="queue_watching",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, group__isnull=True)
                | models.Q(user__isnull=True, group__isnull=False),
                name="queuewatcher_exactly_one_principal",
            ),
            models.UniqueConstraint(
                fields=["queue", "role", "user"],
                condition=models.Q(user__isnull=False),
                name="queuewatcher_user_unique",
            ),
            models.UniqueConstraint(
                fields=["queue", "role", "group"],
                condition=models.Q(group__isnull=False),
                name="queuewatcher_group_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.group} as {self.role} of {self.queue}"

    @property
    def principal(self) -> object:
        return self.user or self.group
