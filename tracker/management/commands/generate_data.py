"""Bulk-load a realistic data set for benchmarks: `manage.py generate_data --tickets 100000`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tracker.management.bulk import Scale, generate


class Command(BaseCommand):
    help = (
        "Create benchmark data fast (COPY on PostgreSQL): queues, staff, customers and tickets "
        "with 5-200 transactions each and a few 2,000-transaction tickets. Adds to what exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=10_000)
        parser.add_argument("--queues", type=int, default=100)
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--long-tickets", type=int, default=3)
        parser.add_argument("--long-length", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        scale = Scale(
            tickets=options["tickets"],
            queues=options["queues"],
            users=options["users"],
            long_tickets=options["long_tickets"],
            long_length=options["long_length"],
            seed=options["seed"],
        )

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} tickets"
            )
            sys.stderr.flush()

        result = generate(scale, progress if options["verbosity"] > 0 else None)
        if options["verbosity"] > 0:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{result.tickets} tickets, {result.transactions} transactions, "
            f"{result.attachments} attachments in {result.seconds:.1f} s "
            f"({result.tickets_per_second:,.0f} tickets/s)"
        )
