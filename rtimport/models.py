"""What has been imported from which RT, so a second run skips it and an interrupted
run resumes where it stopped."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportedObject(models.Model):
    """One RT record (kind + RT id) and the local row it became."""

    source = models.CharField(max_length=200, help_text="Which RT: host/database.")
    kind = models.CharField(max_length=32)
    rt_id = models.BigIntegerField()
    local_id = models.BigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "rt_id"], name="imported_object_unique"
            )
        ]
        indexes = [
            models.Index(fields=["source", "kind", "local_id"], name="imported_local")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} #{self.rt_id} -> {self.local_id}"
