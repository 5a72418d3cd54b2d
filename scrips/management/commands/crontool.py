"""rt-crontool's equivalent: pick tickets, check a condition, apply an action.

    manage.py crontool --search "Queue = 'General' AND Status = 'open'" \
        --condition Overdue --action SetPriority --action-arg 90
    manage.py crontool --queue General --action LinearEscalate --dry-run
    manage.py crontool --search "Owner = 'Nobody' AND Status = 'new'" \
        --action RecordComment --template "Untaken Ticket"
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scrips.periodic import CRON_ACTIONS, CRON_CONDITIONS, active_tickets, run_cron
from tracker.errors import DomainError
from tracker.principals import system_user
from tracker.ticketsql import search


class Command(BaseCommand):
    help = "Apply an action to the tickets a search finds (rt-crontool)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--search", help="A TicketSQL query.")
        where.add_argument("--queue", help="Active tickets of this queue.")
        parser.add_argument(
            "--condition",
            default="",
            help=f"{', '.join(CRON_CONDITIONS)}, or any scrip condition name.",
        )
        parser.add_argument("--condition-arg", default="")
        parser.add_argument("--action", required=True, choices=sorted(CRON_ACTIONS))
        parser.add_argument(
            "--action-arg",
            default="",
            help="A priority, a status, or a template name (Record* actions).",
        )
        parser.add_argument(
            "--template",
            default="",
            help="Template of RecordComment / RecordCorrespondence (same as --action-arg).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show the tickets; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tickets = (
                search(system_user(), options["search"])
                if options["search"]
                else active_tickets(queue=options["queue"])
            )
            result = run_cron(
                tickets.order_by("pk"),
                action=options["action"],
                action_argument=options["template"] or options["action_arg"],
                condition=options["condition"],
                condition_argument=options["condition_arg"],
                now=timezone.now(),
                dry_run=options["dry_run"],
            )
        except (DomainError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        for pk in result.matched:
            verb = (
                "would change"
                if options["dry_run"]
                else ("changed" if pk in result.changed else "unchanged")
            )
            self.stdout.write(f"#{pk} {verb}")
        self.stdout.write(
            f"{len(result.matched)} ticket(s) matched, {len(result.changed)} changed."
        )
