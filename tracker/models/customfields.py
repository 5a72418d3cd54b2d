"""Custom fields on tickets and transactions, applied globally or per queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from queues.models import Queue
from tracker.models.tickets import Ticket
from tracker.models.transactions import Transaction


class CustomFieldType(models.TextChoices):
    FREEFORM = "freeform", "Enter one value (one line)"
    TEXT = "text", "Fill in text (several lines)"
    SELECT = "select", "Select from a list"
    DATE = "date", "Date"
    DATETIME = "datetime", "Date and time"
    NUMBER = "number", "Number"
    IP_ADDRESS = "ipaddress", "IP address"
    IP_RANGE = "iprange", "IP address range or CIDR"


class CustomFieldLookup(models.TextChoices):
    TICKET = "ticket"
    TRANSACTION = "transaction"


class CustomField(models.Model):
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=16, choices=CustomFieldType.choices)
    lookup_type = models.CharField(
        max_length=16,
        choices=CustomFieldLookup.choices,
        default=CustomFieldLookup.TICKET,
    )
    max_values = models.PositiveIntegerField(
        default=1, help_text="1 for a single value, 0 for unlimited."
    )
    pattern = models.CharField(
        max_length=500,
        blank=True,
        help_text="A regular expression each value must match.",
    )
    pattern_description = models.CharField(
        max_length=255, blank=True, help_text="Shown when a value does not match."
    )
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Unticked means disabled.")

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lookup_type", "name"], name="customfield_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_single(self) -> bool:
        return self.max_values == 1


class CustomFieldChoice(models.Model):
    """An allowed value of a select field."""

    custom_field = models.ForeignKey(
        CustomField, on_delete=models.CASCADE, related_name="choices"
    )
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_field", "name"], name="cfchoice_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class QueueCustomField(models.Model):
    """Applies a custom field to one queue, or to every queue when `queue` is empty."""

    custom_field = models.ForeignKey(
        CustomField, on_delete=models.CASCADE, related_name="applications"
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="custom_fields",
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_field", "queue"],
                condition=models.Q(queue__isnull=False),
                name="queuecf_unique",
            ),
            models.UniqueConstraint(
                fields=["custom_field"],
                condition=models.Q(queue__isnull=True),
                name="queuecf_global_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.custom_field} on {self.queue or 'all queues'}"


class CustomFieldValue(models.Model):
    """One value of a custom field on a ticket or a transaction.

    `sort_key` is a normalised form that compares correctly as text on every database:
    zero-padded numbers, ISO dates, fixed-width hex for IP addresses.
    For IP ranges `sort_key` is the low end and `sort_key_high` the high end.
    """

    custom_field = models.ForeignKey(
        CustomField, on_delete=models.PROTECT, related_name="values"
    )
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="custom_values",
    )
    transaction = models.ForeignKey(
        Transaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custom_values",
    )
    content = models.TextField()
    sort_key = models.CharField(max_length=255, blank=True)
    sort_key_high = models.CharField(max_length=255, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["custom_field", "sort_key"], name="cfvalue_field_key"),
            models.Index(
                fields=["ticket", "custom_field"], name="cfvalue_ticket_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.custom_field}: {self.content}"
