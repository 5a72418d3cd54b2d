"""manage.py export_tickets --query TICKETSQL [--output FILE] [--as USERNAME]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker import ticketsql
from tracker.models import User
from tracker.ops.export import write_export
from tracker.principals import system_user


class Command(BaseCommand):
    help = (
        "Export the tickets a TicketSQL query finds, with history and attachments, "
        "as JSON (to stdout or --output)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--query", default="", help="TicketSQL; empty means all.")
        parser.add_argument("--output", "-o", help="File to write (default: stdout).")
        parser.add_argument(
            "--as",
            dest="username",
            help="Export what this user may see (default: everything).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["username"]:
            try:
                user = User.objects.get(username=options["username"])
            except User.DoesNotExist:
                raise CommandError(f"No user {options['username']!r}.") from None
        else:
            user = system_user()
        try:
            tickets = ticketsql.search(user, options["query"])
        except ticketsql.TicketSQLError as exc:
            raise CommandError(str(exc)) from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as stream:
                count = write_export(stream, tickets, user=user, query=options["query"])
            self.stderr.write(f"{count} ticket(s) written to {options['output']}")
        else:
            count = write_export(
                self.stdout, tickets, user=user, query=options["query"]
            )
            self.stderr.write(f"{count} ticket(s) exported")
