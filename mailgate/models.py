"""Every message the gateway receives, stored raw before anything else happens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
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
    is_auto_generated = models.BooleanField(
        default=False, help_text="A bounce, auto-reply or list mail: never answered."
    )
    notice = models.TextField(
        blank=True, help_text="The short notice sent back to the sender, if any."
    )
    notice_sent_at = models.DateTimeField(null=True, blank=True)
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


class MailboxProtocol(models.TextChoices):
    IMAP = "imap", "IMAP"
    POP3 = "pop3", "POP3"


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", "TLS from the start (IMAPS 993 / POP3S 995)"
    STARTTLS = "starttls", "STARTTLS"
    NONE = "none", "None (loopback or a trusted network only)"


class AfterStore(models.TextChoices):
    DELETE = "delete", "Delete from the server"
    MOVE = "move", "Move to another folder (IMAP)"


class Mailbox(models.Model):
    """A remote IMAP or POP3 mailbox whose messages are fetched into a queue (the
    fetchmail alternative). A message leaves the server only once it is stored."""

    name = models.CharField(max_length=100, unique=True)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(
        max_length=64,
        default="correspond",
        help_text="correspond or comment, optionally joined with take/resolve by '-'.",
    )
    protocol = models.CharField(
        max_length=8, choices=MailboxProtocol.choices, default=MailboxProtocol.IMAP
    )
    security = models.CharField(
        max_length=8, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for the protocol's usual port."
    )
    username = models.CharField(max_length=255)
    # Stored as given: the mail server needs the password itself, so a hash is no use.
    password = models.CharField(max_length=255, blank=True)
    folder = models.CharField(max_length=255, default="INBOX", help_text="IMAP only.")
    after_store = models.CharField(
        max_length=8, choices=AfterStore.choices, default=AfterStore.DELETE
    )
    move_to = models.CharField(
        max_length=255,
        blank=True,
        help_text="IMAP folder for stored messages when they are moved.",
    )
    batch_size = models.PositiveIntegerField(
        default=100, help_text="Messages fetched per poll at most."
    )
    every_minutes = models.PositiveIntegerField(
        default=1, help_text="Poll at most this often."
    )
    timeout = models.PositiveIntegerField(default=60, help_text="Seconds.")
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A poll claims the mailbox until this time, so two workers never poll it at once.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} ({self.protocol}://{self.username}@{self.host})"

    def clean(self) -> None:
        from mailgate.routing import RouteError, parse_actions

        errors = {}
        try:
            parse_actions(self.action)
        except RouteError as exc:
            errors["action"] = str(exc)
        if self.after_store == AfterStore.MOVE:
            if self.protocol != MailboxProtocol.IMAP:
                errors["after_store"] = "POP3 has no folders: stored mail is deleted."
            elif not self.move_to.strip():
                errors["move_to"] = "Name the folder stored messages move to."
        if errors:
            raise ValidationError(errors)

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        ssl = self.security == MailboxSecurity.SSL
        if self.protocol == MailboxProtocol.IMAP:
            return 993 if ssl else 143
        return 995 if ssl else 110
