"""Load the demo organisation: queues, teams, customers, rights and about fifty tickets."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from queues.models import Queue
from tracker.errors import DomainError
from tracker.management import demo
from tracker.management.demo.directory import GENERAL, MARKER_QUEUE

ALREADY_LOADED = "Demo data already loaded"


class Command(BaseCommand):
    help = (
        "Create demo data through the tracker's services, in one transaction: the queues "
        "security (incident lifecycle), accounts and connectivity next to General; the "
        "NOC, CSIRT and Helpdesk teams with their rights; a few customers; custom fields; "
        "and about fifty tickets with history. Demo users get no password. Refuses to run "
        f"twice (the marker is a queue named '{MARKER_QUEUE}'); with --once a second run "
        "is a quiet no-op, for container start-up scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help=f"If the demo data is already there, say so and exit 0 ({ALREADY_LOADED}).",
        )

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        if demo.is_loaded():
            self._already_loaded(once=once)
            return
        if not Queue.objects.filter(name__iexact=GENERAL).exists():
            raise CommandError(
                f"The '{GENERAL}' queue is missing; run `manage.py migrate` first."
            )
        try:
            summary = demo.seed()
        except IntegrityError as exc:
            # A concurrent run may have committed first; otherwise names clash.
            if demo.is_loaded():
                self._already_loaded(once=once)
                return
            raise CommandError(
                f"Demo data clashes with existing data; nothing was saved: {exc}"
            ) from exc
        except DomainError as exc:
            raise CommandError(f"Seeding failed; nothing was saved: {exc}") from exc
        self.stdout.write(_report(summary))

    def _already_loaded(self, *, once: bool) -> None:
        if not once:
            raise CommandError(
                f"{ALREADY_LOADED} (queue '{MARKER_QUEUE}' exists). "
                "Use --once to skip quietly."
            )
        self.stdout.write(ALREADY_LOADED)


def _report(summary: demo.Summary) -> str:
    lines = [
        f"Demo data loaded: {summary.tickets} tickets, {summary.transactions} "
        f"transactions, {summary.links} links, {summary.custom_field_values} "
        "custom field values.",
        "Tickets per queue (merged ones not counted):",
        *(f"  {name:<14}{count:>4}" for name, count in summary.queues.items()),
        "Staff (privileged), by group:",
        *(f"  {team:<14}{', '.join(names)}" for team, names in summary.groups.items()),
        f"Customers (unprivileged): {', '.join(summary.customers)}",
        "",
        "Demo users have no password; set one in the admin (or with "
        "`manage.py changepassword <username>`) to log in as one of them.",
        "Staff log in with the admin account from `manage.py ensure_admin`.",
    ]
    return "\n".join(lines)
