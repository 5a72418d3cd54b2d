"""The append-only history: one Transaction per change, messages as Attachment trees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from tracker.models.tickets import Ticket


class TransactionType(models.TextChoices):
    """Kinds of history entries. Values are stored; never rename or reuse one."""

    CREATE = "Create"
    CORRESPOND = "Correspond"
    COMMENT = "Comment"
    STATUS = "Status"
    SET = "Set"
    SET_WATCHER = "SetWatcher"
    ADD_WATCHER = "AddWatcher"
    DEL_WATCHER = "DelWatcher"
    ADD_LINK = "AddLink"
    DELETE_LINK = "DeleteLink"
    CUSTOM_FIELD = "CustomField"
    TOLD = "Told"
    EMAIL_RECORD = "EmailRecord"
    COMMENT_EMAIL_RECORD = "CommentEmailRecord"
    FORWARD_TRANSACTION = "Forward Transaction"
    FORWARD_TICKET = "Forward Ticket"
    ADD_REMINDER = "AddReminder"
    OPEN_REMINDER = "OpenReminder"
    RESOLVE_REMINDER = "ResolveReminder"
    ATTACHMENT_TRUNCATE = "AttachmentTruncate"
    ATTACHMENT_DROP = "AttachmentDrop"
    ATTACHMENT_ERROR = "AttachmentError"
    SYSTEM_ERROR = "SystemError"
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    ADD_MEMBER = "AddMember"
    DELETE_MEMBER = "DeleteMember"
    GRANT_RIGHT = "GrantRight"
    REVOKE_RIGHT = "RevokeRight"


MESSAGE_TYPES = frozenset(
    {TransactionType.CREATE, TransactionType.CORRESPOND, TransactionType.COMMENT}
)


class ObjectType(models.TextChoices):
    TICKET = "ticket"
    QUEUE = "queue"
    USER = "user"
    GROUP = "group"
    SYSTEM = "system"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete history."""


class Transaction(models.Model):
    """One change. Stores raw keys and values; labels are rendered when shown."""

    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    object_type = models.CharField(
        max_length=16, choices=ObjectType.choices, default=ObjectType.TICKET
    )
    object_id = models.BigIntegerField()
    type = models.CharField(max_length=32, choices=TransactionType.choices)
    field = models.CharField(max_length=64, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    old_reference = models.BigIntegerField(null=True, blank=True)
    new_reference = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    time_taken = models.IntegerField(default=0, help_text="Minutes.")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transactions"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="txn_ticket_id"),
            models.Index(fields=["object_type", "object_id"], name="txn_object"),
            models.Index(fields=["created"], name="txn_created"),
            models.Index(fields=["type", "created"], name="txn_type_created"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk} on {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Transactions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Transactions are append-only.")


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m/%d}/{instance.transaction_id}-{filename[-80:]}"


class Attachment(models.Model):
    """One MIME part of a message. Text parts keep their content in the database;
    binary parts go to Django storage."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="attachments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=255, default="text/plain")
    headers = models.TextField(blank=True)
    content = models.TextField(blank=True)
    file = models.FileField(upload_to=attachment_upload_to, blank=True, max_length=255)
    size = models.PositiveIntegerField(default=0)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename or f"{self.content_type} part #{self.pk}"

    @property
    def is_text(self) -> bool:
        return self.content_type.startswith("text/")

    @property
    def is_multipart(self) -> bool:
        return self.content_type.startswith("multipart/")
