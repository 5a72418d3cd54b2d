"""The import, step by step. Every step is idempotent: a second run imports nothing
twice, and a run that stopped half-way resumes with the next ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from rtimport import automation, config, lifecycles, tickets
from rtimport.idmap import IdMap
from rtimport.report import Progress, Report
from rtimport.sources import Source
from tracker.customfields import normalize
from tracker.errors import ValidationFailed
from tracker.models import CustomField, Ticket
from tracker.principals import nobody, system_user

STEPS: list[tuple[str, Callable[[Importer], None]]] = [
    ("users", config.import_users),
    ("groups", config.import_groups),
    ("memberships", config.import_memberships),
    ("lifecycles", lifecycles.import_lifecycles),
    ("queues", config.import_queues),
    ("queue watchers", config.import_queue_watchers),
    ("rights", config.import_rights),
    ("custom fields", config.import_custom_fields),
    ("tickets", tickets.import_tickets),
    ("links", tickets.import_links),
    ("merges", tickets.import_merges),
    ("templates", automation.import_templates),
    ("scrips", automation.import_scrips),
]


class Importer:
    def __init__(
        self,
        source: Source,
        *,
        queues: list[str] | None = None,
        progress: Progress | None = None,
        source_name: str | None = None,
        rt_config: list[str] | None = None,
    ) -> None:
        self.source = source
        # RT_SiteConfig.pm files or RT etc directories to read lifecycles from.
        self.rt_config = list(rt_config or [])
        self.queue_names = {q.strip().lower() for q in queues or [] if q.strip()}
        self.progress = progress or Progress(enabled=False)
        self.report = Report()
        self.ids = IdMap(source_name or source.name)
        self.now = timezone.now()
        self.system_user_id = system_user().pk
        self.nobody_id = nobody().pk

    def run(self) -> Report:
        for _label, step in STEPS:
            step(self)
        self._reset_ticket_numbers()
        return self.report

    @staticmethod
    def aware(value: datetime | str | None) -> datetime | None:
        """RT stores UTC without a zone; its 'unset' date is 1970-01-01 00:00:00."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.year <= 1970:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @staticmethod
    def sort_key(field: CustomField, content: str) -> str:
        try:
            return normalize(field, content).sort_key[:255]
        except ValidationFailed:
            return content[:255]

    @staticmethod
    def _reset_ticket_numbers() -> None:
        """Tickets kept RT's numbers; new tickets continue after the highest."""
        statements = connection.ops.sequence_reset_sql(no_style(), [Ticket])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
