"""Every message the gateway receives, stored raw before anything else happens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from queues.models import Queue


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected"
    QUARANTINED = "quarantined", "Quarantined"
    FAILED = "failed", "Failed"


# Statuses an administrator may replay from the quarantine list.
REPLAYABLE = (InboundStatus.REJECTED, InboundStatus.QUARANTINED, InboundStatus.FAILED)


class InboundEmail(models.Model):
    """One delivery of one message. The raw bytes are kept exactly as received.

    `dedupe_key` is unique: the same message delivered twice to the same queue and
    action is recorded once (later deliveries get a DUPLICATE row with no key).
    """

    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, default="correspond")
    requested_ticket = models.BigIntegerField(null=True, blank=True)
    envelope_sender = models.CharField(max_length=255, blank=True)
    envelope_recipient = models.CharField(max_length=255, blank=True)
    extension = models.CharField(max_length=255, blank=True)
    interface = models.CharField(
        max_length=16, default="pipe", help_text="pipe, http, lmtp, imap or pop3."
    )
    sender = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(blank=True)
    alert_key = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Monitoring alerts: host or host/service, to thread repeats.",
    )
    ticket_id = models.BigIntegerField(
        null=True, blank=True, help_text="The ticket this message created or joined."
    )
    transaction_id = models.BigIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_status"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender"),
        ]
        verbose_name = "inbound email"

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}: {self.subject or self.message_id}"

    @property
    def is_replayable(self) -> bool:
        return self.status in REPLAYABLE
