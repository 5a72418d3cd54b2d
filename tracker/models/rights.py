"""Access control entries: one right granted to one principal, globally or on a queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from queues.models import Queue
from tracker.models.principals import Group
from tracker.models.tickets import Role


class ACE(models.Model):
    """A grant. Exactly one of user, group or role is the principal.

    A role grant (e.g. Requestor + ShowTicket) is evaluated per ticket: it gives the
    right to whoever holds that role on the ticket (or on its queue, for Cc/AdminCc).
    """

    right = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(max_length=16, blank=True, choices=Role.choices)
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        help_text="Empty means every queue (a global grant).",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "right grant"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, group__isnull=True, role="")
                    | models.Q(user__isnull=True, group__isnull=False, role="")
                    | (
                        models.Q(user__isnull=True, group__isnull=True)
                        & ~models.Q(role="")
                    )
                ),
                name="ace_exactly_one_principal",
            )
        ]
        indexes = [
            models.Index(fields=["user", "right"], name="ace_user_right"),
            models.Index(fields=["group", "right"], name="ace_group_right"),
            models.Index(fields=["role", "right"], name="ace_role_right"),
        ]

    def __str__(self) -> str:
        where = self.queue or "all queues"
        return f"{self.right} to {self.principal_label} on {where}"

    @property
    def principal_label(self) -> str:
        if self.role:
            return f"role {self.role}"
        if self.group_id:
            return f"group {self.group}"
        return f"user {self.user}"
