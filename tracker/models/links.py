"""Links between tickets (and from tickets to outside URIs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tracker.models.tickets import Ticket


class LinkType(models.TextChoices):
    DEPENDS_ON = "DependsOn"
    MEMBER_OF = "MemberOf"
    REFERS_TO = "RefersTo"
    MERGED_INTO = "MergedInto"


# The name each link has when seen from its target: "A DependsOn B" is "B DependedOnBy A".
REVERSE_NAMES = {
    LinkType.DEPENDS_ON: "DependedOnBy",
    LinkType.MEMBER_OF: "HasMember",
    LinkType.REFERS_TO: "ReferredToBy",
    LinkType.MERGED_INTO: "MergedInto",
}


class Link(models.Model):
    """`base` <type> `target`: a local target ticket, or an outside URI."""

    type = models.CharField(max_length=16, choices=LinkType.choices)
    base = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="links_in"
    )
    target_uri = models.CharField(max_length=500, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type", "base", "target"],
                condition=models.Q(target__isnull=False),
                name="link_local_unique",
            ),
            models.UniqueConstraint(
                fields=["type", "base", "target_uri"],
                condition=models.Q(target__isnull=True),
                name="link_remote_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(target__isnull=False) | ~models.Q(target_uri=""),
                name="link_has_target",
            ),
        ]
        indexes = [models.Index(fields=["target", "type"], name="link_target_type")]

    def __str__(self) -> str:
        target = f"#{self.target_id}" if self.target_id else self.target_uri
        return f"#{self.base_id} {self.type} {target}"
