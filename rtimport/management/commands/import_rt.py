"""manage.py import_rt --database-url URL | --rest-url URL: bring an RT across."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rtimport.importer import Importer
from rtimport.report import Progress
from rtimport.sources import DatabaseSource


class Command(BaseCommand):
    help = (
        "Import users, groups, queues, rights, custom fields, tickets (with their "
        "numbers), history, attachments, links, merges, templates and scrips from "
        "Request Tracker 4.4/5. Safe to run again: what is there is skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument(
            "--database-url",
            help="RT's database: postgres://user:pw@host/rt5, mysql://..., sqlite:///path",
        )
        where.add_argument(
            "--rest-url", help="RT's base URL, e.g. https://rt.example.org"
        )
        parser.add_argument(
            "--rest-user", default=os.environ.get("RT_USER", ""), help="or $RT_USER"
        )
        parser.add_argument(
            "--rest-password",
            default=os.environ.get("RT_PASSWORD", ""),
            help="or $RT_PASSWORD",
        )
        parser.add_argument(
            "--rest-token", default=os.environ.get("RT_TOKEN", ""), help="or $RT_TOKEN"
        )
        parser.add_argument(
            "--queue",
            action="append",
            default=[],
            help="Import only this queue's tickets (repeatable). Default: all queues.",
        )
        parser.add_argument(
            "--rt-config",
            action="append",
            default=[],
            metavar="PATH",
            help="RT's RT_SiteConfig.pm, or its etc directory (RT_SiteConfig.pm and "
            "RT_SiteConfig.d/*.pm), to import lifecycles from (repeatable; needs perl).",
        )
        parser.add_argument(
            "--source-name",
            help="Label remembered with each imported record (default: host/database).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_url"]:
            source = DatabaseSource(options["database_url"])
        else:
            from rtimport.rest import RestSource

            if not (options["rest_token"] or options["rest_user"]):
                raise CommandError("--rest-url needs --rest-token or --rest-user.")
            source = RestSource(
                options["rest_url"],
                user=options["rest_user"],
                password=options["rest_password"],
                token=options["rest_token"],
                queues=options["queue"],
            )
        try:
            importer = Importer(
                source,
                queues=options["queue"],
                progress=Progress(self.stderr._out, enabled=not options["no_progress"]),
                source_name=options["source_name"],
                rt_config=options["rt_config"],
            )
            report = importer.run()
        finally:
            source.close()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        else:
            for line in report.lines():
                self.stdout.write(line)
