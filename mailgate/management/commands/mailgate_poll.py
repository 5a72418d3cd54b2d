"""Poll the IMAP / POP3 mailboxes once (what the beat task does), e.g. from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Fetch mail from the configured mailboxes into their queues."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mailbox", action="append", default=[], help="Only this mailbox (name)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Ignore each mailbox's interval."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mailgate.models import Mailbox
        from mailgate.polling import poll_due_mailboxes, poll_mailbox

        if options["mailbox"]:
            mailboxes = list(
                Mailbox.objects.filter(name__in=options["mailbox"]).select_related(
                    "queue"
                )
            )
            unknown = set(options["mailbox"]) - {m.name for m in mailboxes}
            if unknown:
                raise CommandError(f"No mailbox named {', '.join(sorted(unknown))}")
            results = [poll_mailbox(m) for m in mailboxes]
        else:
            results = poll_due_mailboxes(force=options["force"])
        for result in results:
            self.stdout.write(str(result))
        if any(not r.ok for r in results):
            raise CommandError("Some mailboxes could not be polled completely.")
