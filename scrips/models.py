"""Scrips (condition + action + template), their run log, and the notification outbox."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from queues.models import Queue
from tracker.models import Ticket, Transaction


class Stage(models.TextChoices):
    """When a scrip runs: after each transaction, or once per batch of changes."""

    TRANSACTION_CREATE = "TransactionCreate", "After each transaction"
    TRANSACTION_BATCH = "TransactionBatch", "Once per batch of changes"


class Template(models.Model):
    """Mail text: header lines, a blank line, then the body (Django template syntax).

    A queue template overrides the global one of the same name. An empty template sends
    nothing (the way to switch a notification off for one queue).
    """

    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scrip_templates",
        help_text="Empty for a global template.",
    )
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    content = models.TextField(
        blank=True,
        help_text="Headers (Subject:, Cc:, Content-Type: text/html, ...), a blank line, "
        "then the body.",
    )

    class Meta:
        ordering = ["name", "queue_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "name"], name="scrip_template_queue_name_unique"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(queue__isnull=True),
                name="scrip_template_global_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.queue or 'global'})"


class Scrip(models.Model):
    """On a condition, run an action with a template. Applied through ScripQueue rows."""

    description = models.CharField(max_length=255)
    condition = models.CharField(max_length=64)
    condition_argument = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=64)
    action_argument = models.CharField(max_length=255, blank=True)
    template = models.CharField(
        max_length=200, default="Blank", help_text="Template name, looked up per queue."
    )
    is_active = models.BooleanField(default=True, help_text="Unticked means disabled.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class ScripQueue(models.Model):
    """Where and when a scrip applies: globally (no queue) or to one queue."""

    scrip = models.ForeignKey(
        Scrip, on_delete=models.CASCADE, related_name="applications"
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scrip_applications",
        help_text="Empty to apply to every queue.",
    )
    stage = models.CharField(
        max_length=32, choices=Stage.choices, default=Stage.TRANSACTION_CREATE
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "scrip_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scrip", "queue", "stage"], name="scripqueue_unique"
            ),
            models.UniqueConstraint(
                fields=["scrip", "stage"],
                condition=models.Q(queue__isnull=True),
                name="scripqueue_global_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scrip} on {self.queue or 'all queues'} ({self.stage})"


class ScripRunStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class ScripRun(models.Model):
    """One scrip run for one transaction (the last of the batch for batch scrips).

    Unique, and claimed with a conditional UPDATE, so a redelivered task never runs a
    scrip twice.
    """

    scrip = models.ForeignKey(Scrip, on_delete=models.CASCADE, related_name="runs")
    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, related_name="scrip_runs"
    )
    stage = models.CharField(max_length=32, choices=Stage.choices)
    status = models.CharField(
        max_length=16, choices=ScripRunStatus.choices, default=ScripRunStatus.PENDING
    )
    error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scrip", "transaction", "stage"],
                name="scriprun_scrip_transaction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scrip} on transaction #{self.transaction_id}: {self.status}"


class TicketScripCursor(models.Model):
    """The last transaction of a ticket whose scrips have run. Locked while scrips run,
    so the transactions of one ticket are processed in order, each once."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="scrip_cursor"
    )
    last_transaction_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.ticket_id} up to transaction {self.last_transaction_id}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(models.Model):
    """The outbox: one rendered mail, written in the scrip run's database transaction and
    sent by a task exactly once (its Message-ID is fixed before sending)."""

    scrip_run = models.ForeignKey(
        ScripRun,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text="Empty for mail written by a periodic job (digest, reminder).",
    )
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message_id = models.CharField(max_length=255, unique=True)
    dedupe_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="Periodic jobs write each mail once per key (e.g. one digest a day).",
    )
    is_comment = models.BooleanField(default=False)
    from_email = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    headers = models.JSONField(default=dict)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "created"], name="notification_status")
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


class WebhookDelivery(models.Model):
    """The webhook outbox: one signed JSON event for one URL, written in the scrip run's
    database transaction and posted by a task, retried with backoff."""

    scrip_run = models.ForeignKey(
        ScripRun, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event_id = models.CharField(max_length=64, unique=True)
    url = models.URLField(max_length=1000)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "created"], name="webhook_status")]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.url} ({self.status})"


class ServiceLevel(models.Model):
    """A queue's service level: response, keep-in-loop and resolve targets, counted in
    business minutes when `business_hours_only` is set (workdays between start and end,
    in the level's time zone), in plain minutes otherwise."""

    name = models.CharField(max_length=100)
    queue = models.OneToOneField(
        Queue, on_delete=models.CASCADE, related_name="service_level"
    )
    response_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="First answer (and each later answer) due."
    )
    resolve_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Resolution due, counted from creation."
    )
    keep_in_loop_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="After each staff answer, the next update is due within this.",
    )
    business_hours_only = models.BooleanField(default=True)
    workday_start = models.TimeField(default="09:00")
    workday_end = models.TimeField(default="17:00")
    workdays = models.CharField(
        max_length=20,
        default="0,1,2,3,4",
        help_text="Weekday numbers, Monday = 0.",
    )
    time_zone = models.CharField(max_length=64, default="UTC")

    class Meta:
        ordering = ["queue_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.queue})"

    @property
    def workday_numbers(self) -> set[int]:
        return {int(d) for d in self.workdays.split(",") if d.strip().isdigit()}


class PeriodicJob(models.Model):
    """A schedule for one periodic task, read by Celery beat through
    `scrips.beat.DatabaseScheduler`, so it can be changed in the admin."""

    name = models.CharField(max_length=100, unique=True)
    task = models.CharField(max_length=200, help_text="Celery task name.")
    every_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Run every N minutes; or fill in the crontab."
    )
    crontab_minute = models.CharField(max_length=60, default="0")
    crontab_hour = models.CharField(max_length=60, default="*")
    crontab_day_of_week = models.CharField(max_length=60, default="*")
    kwargs = models.JSONField(
        default=dict, blank=True, help_text="Options passed to the task."
    )
    is_enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
