"""`manage.py explain_ticketsql`: EXPLAIN the typical TicketSQL searches on PostgreSQL and
report whether each is one SQL statement answered through indexes.

    manage.py explain_ticketsql --output docs/TICKETSQL_PLANS.md

Values for the queries (a queue, part of a requestor's address, a custom field and one
of its values) and the searching user (the owner of the newest owned ticket) come from
the data, unless given.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from tracker.models import (
    Attachment,
    CustomFieldValue,
    SearchDocument,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)
from tracker.ticketsql.plans import TYPICAL_QUERIES, Plan, explain_search


class Command(BaseCommand):
    help = "EXPLAIN the typical TicketSQL searches (PostgreSQL) and report index use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", help="Search as this user.")
        parser.add_argument("--queue", help="Queue name for the first query.")
        parser.add_argument("--email", help="Requestor address fragment.")
        parser.add_argument("--custom-field", help="Custom field name.")
        parser.add_argument("--choice", help="Custom field value.")
        parser.add_argument(
            "--analyze", action="store_true", help="EXPLAIN ANALYZE (runs the queries)."
        )
        parser.add_argument("--output", help="Write a Markdown report to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Plans are checked on PostgreSQL: set DATABASE_URL.")
        user, values = self._inputs(options)
        plans = []
        for template in TYPICAL_QUERIES:
            query = template.format(**values)
            plan = explain_search(user, query, analyze=options["analyze"])
            plans.append(plan)
            verdict = "ok" if plan.statements == 1 and plan.uses_index else "CHECK"
            self.stdout.write(
                f"{verdict:5} {plan.statements} statement(s) "
                f"{plan.milliseconds:8.1f} ms (count {plan.count_milliseconds:.1f} ms)"
                f"  {query}\n"
                f"      indexes: {', '.join(plan.indexes) or '-'}; "
                f"full scans: {', '.join(plan.seq_scans) or '-'}"
            )
        if options["output"]:
            Path(options["output"]).write_text(_report(user, plans, options["analyze"]))
            self.stdout.write(f"Wrote {options['output']}")

    def _inputs(self, options: dict[str, Any]) -> tuple[User, dict[str, str]]:
        sample = (
            Ticket.objects.exclude(owner__is_system=True)
            .exclude(owner__username="Nobody")
            .select_related("owner", "queue")
            .order_by("-id")
            .first()
        )
        if sample is None and not options["username"]:
            raise CommandError("No owned ticket to take values from: load data first.")
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user '{options['username']}'.")
        else:
            user = sample.owner
        watcher = (
            TicketWatcher.objects.filter(role="Requestor", user__isnull=False)
            .select_related("user")
            .order_by("-id")
            .first()
        )
        email = watcher.user.email.split("@")[0] if watcher else "example"
        value = (
            CustomFieldValue.objects.filter(ticket__isnull=False)
            .select_related("custom_field")
            .order_by("-id")
            .first()
        )
        return user, {
            "queue": options["queue"] or (sample.queue.name if sample else "General"),
            "email": options["email"] or email,
            "custom_field": options["custom_field"]
            or (value.custom_field.name if value else "Incident Type"),
            "choice": options["choice"] or (value.content if value else "phishing"),
        }


def _report(user: User, plans: list[Plan], analyze: bool) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    counts = {
        "tickets": Ticket.objects.count(),
        "transactions": Transaction.objects.count(),
        "attachments": Attachment.objects.count(),
        "search documents": SearchDocument.objects.count(),
        "custom field values": CustomFieldValue.objects.count(),
        "users": User.objects.count(),
    }
    lines = [
        "# TicketSQL query plans",
        "",
        "Produced by `manage.py explain_ticketsql"
        + (" --analyze" if analyze else "")
        + " --output docs/TICKETSQL_PLANS.md` "
        f"on {timezone.now():%Y-%m-%d %H:%M} UTC ({version.split(',')[0]}, "
        f"{platform.machine()}). Each search is the first page ({50} rows, newest "
        f"first) as `{user.username}` (privileged: {user.is_privileged}), so the "
        "rights filter is part of every statement.",
        "",
        "Data set: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + ".",
        "",
        "| Query | SQL statements | Page (ms) | Count (ms) | Indexes used | Full scans |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for plan in plans:
        lines.append(
            f"| `{plan.query}` | {plan.statements} | {plan.milliseconds:.1f} | "
            f"{plan.count_milliseconds:.1f} | "
            f"{', '.join(plan.indexes) or '-'} | {', '.join(plan.seq_scans) or '-'} |"
        )
    for plan in plans:
        lines += ["", f"## `{plan.query}`", "", "```", plan.text, "```"]
    return "\n".join(lines) + "\n"
