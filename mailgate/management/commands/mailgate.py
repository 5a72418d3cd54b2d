"""Read one message from stdin and hand it to the gateway, like RT's rt-mailgate.

    support:          "|/srv/tracker/manage.py mailgate --queue Support --action correspond"
    support-comment:  "|/srv/tracker/manage.py mailgate --queue Support --action comment"

The exit status is the contract with the mail server: 0 once the message is stored
(including duplicates and quarantined messages), 75 (EX_TEMPFAIL) when it could not be
stored so the server retries, 65 / 67 with a one-line `5.x.x` reason when the message is
refused for good. Exactly one line is printed; never a traceback.

manage.py answers two cases before Django starts (mailgate/fastpath.py), with the same
options, exit codes and lines: `--url` (post to the tracker's endpoint), and the spool
path, taken when a Redis broker is configured (CELERY_BROKER_URL in the environment or
`.env`; MAILGATE_SPOOL=off turns it off). The spool path checks the action, size and
queue, inserts the raw message as a RECEIVED InboundEmail row and exits 0 once that row
is committed ("2.0.0 stored as #N (received)"): the message is then safe, but not yet
applied. A Celery worker applies it (woken through the broker; beat's drain job every
minute catches a lost wake-up) with the same code as here, deduplication included.
Without a broker this command stores and applies the message itself before answering.

`--maildir DIR` / `--mbox FILE` ingest a whole folder or file in one process (see
mailgate/batch.py) and print one summary line; 75 when any message was not stored.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mailgate.client import post_message

EX_OK = 0
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Deliver one RFC 5322 message from stdin to a queue (an MTA pipe target)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", default="General", help="Queue name or number.")
        parser.add_argument(
            "--action",
            default="correspond",
            help="correspond, comment, optionally joined with take/resolve by '-'.",
        )
        parser.add_argument("--ticket", default="", help="Add to this ticket number.")
        parser.add_argument(
            "--extension",
            choices=["queue", "action", "ticket"],
            help="Take that value from the address extension ($EXTENSION).",
        )
        parser.add_argument(
            "--url",
            default="",
            help="Post to this tracker's rt-mailgate endpoint instead of the database.",
        )
        parser.add_argument("--timeout", type=float, default=180)
        parser.add_argument(
            "--replay", type=int, help="Re-run a stored message by its id (admin)."
        )
        parser.add_argument(
            "--maildir",
            help="Ingest every message of this Maildir (new/ and cur/); stored ones "
            "move to its .done folder.",
        )
        parser.add_argument("--mbox", help="Ingest every message of this mbox file.")

    def run_from_argv(self, argv: list[str]) -> None:
        # Whatever happens, the mail server sees a sysexits status, never exit 1.
        try:
            super().run_from_argv(argv)
        except SystemExit as exc:
            if exc.code not in (EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL, None):
                self._finish(EX_TEMPFAIL, "4.3.5 mailgate: invalid invocation")
            raise
        except Exception as exc:  # noqa: BLE001 - the process boundary
            self._finish(EX_TEMPFAIL, f"4.3.0 mailgate: {_one_line(exc)}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["replay"]:
            self._replay(options["replay"])
        if options["maildir"] or options["mbox"]:
            self._batch(options)
        try:
            raw = self._read_stdin()
        except OSError as exc:
            self._finish(EX_TEMPFAIL, f"4.3.0 cannot read the message: {exc}")
        if not raw.strip():
            self._finish(EX_OK, "2.0.0 empty message ignored")
        if options["url"]:
            self._post(raw, options)
        self._ingest(raw, options)

    def _read_stdin(self) -> bytes:
        from mailgate.services import max_message_size

        # Read one byte past the limit to know the message is too large without
        # holding an unbounded message in memory.
        return sys.stdin.buffer.read(max_message_size() + 1)

    def _ingest(self, raw: bytes, options: dict[str, Any]) -> None:
        from mailgate.services import GatewayMisconfigured, GatewayRefusal, ingest

        try:
            result = ingest(
                raw=raw,
                queue=options["queue"],
                action=options["action"],
                ticket=options["ticket"] or None,
                extension=os.environ.get("EXTENSION", ""),
                extension_mode=options["extension"],
                envelope_sender=os.environ.get("SENDER", ""),
                envelope_recipient=os.environ.get("ORIGINAL_RECIPIENT")
                or os.environ.get("RECIPIENT", ""),
                interface="pipe",
            )
        except GatewayRefusal as exc:
            self._finish(exc.code, exc.message)
        except GatewayMisconfigured as exc:
            self._finish(EX_TEMPFAIL, f"4.3.5 mailgate misconfigured: {exc}")
        except Exception as exc:  # noqa: BLE001 - not stored: the MTA must retry
            self._finish(EX_TEMPFAIL, f"4.3.0 temporary failure: {_one_line(exc)}")
        ticket = f" ticket #{result.ticket_id}" if result.ticket_id else ""
        self._finish(
            EX_OK, f"2.0.0 stored as #{result.inbound_id} ({result.status}){ticket}"
        )

    def _post(self, raw: bytes, options: dict[str, Any]) -> None:
        from mailgate.routing import RouteError, apply_extension, parse_actions

        try:
            parse_actions(options["action"])
        except RouteError as exc:
            self._finish(EX_TEMPFAIL, f"4.3.5 mailgate misconfigured: {exc}")
        # As rt-mailgate does, the extension is applied here, before posting.
        try:
            delivery = apply_extension(
                queue=options["queue"],
                action=options["action"],
                ticket=options["ticket"] or None,
                mode=options["extension"],
                extension=os.environ.get("EXTENSION", ""),
            )
        except RouteError as exc:
            self._finish(EX_NOUSER, f"5.1.1 {exc}")
        answer = post_message(
            url=options["url"],
            message=raw,
            queue=delivery.queue,
            action="-".join(delivery.actions),
            ticket=str(delivery.ticket_id or ""),
            timeout=options["timeout"],
        )
        if answer.verdict == "ok":
            self._finish(EX_OK, "2.0.0 delivered")
        if answer.verdict == "not ok":
            detail = answer.detail
            if detail.startswith("5.3.4"):
                self._finish(EX_DATAERR, detail)
            if detail.startswith(("5.1.", "5.2.")):
                self._finish(EX_NOUSER, detail)
            self._finish(EX_OK, f"2.0.0 refused by the gateway: {detail}")
        self._finish(EX_TEMPFAIL, f"4.3.0 {answer.detail}")

    def _batch(self, options: dict[str, Any]) -> None:
        from mailgate.batch import (
            ingest_batch,
            maildir_messages,
            mark_done,
            mbox_messages,
        )
        from mailgate.services import GatewayMisconfigured, GatewayRefusal

        if options["maildir"]:
            root = Path(options["maildir"])
            if not (root / "new").is_dir() and not (root / "cur").is_dir():
                self._finish(EX_TEMPFAIL, f"4.3.0 not a Maildir: {root}")
            messages = maildir_messages(root)
            interface = "maildir"

            def on_committed(files: list[Any]) -> None:
                mark_done(root, files)
        else:
            path = Path(options["mbox"])
            if not path.is_file():
                self._finish(EX_TEMPFAIL, f"4.3.0 no mbox file: {path}")
            messages = mbox_messages(path)
            interface, on_committed = "mbox", None
        try:
            summary = ingest_batch(
                messages,
                queue=options["queue"],
                action=options["action"],
                ticket=options["ticket"] or None,
                interface=interface,
                on_committed=on_committed,
            )
        except GatewayRefusal as exc:
            self._finish(exc.code, exc.message)
        except GatewayMisconfigured as exc:
            self._finish(EX_TEMPFAIL, f"4.3.5 mailgate misconfigured: {exc}")
        for refusal in summary.refusals[:20]:
            self.stderr.write(f"refused {refusal}")
        if summary.failed:
            self._finish(EX_TEMPFAIL, f"4.3.0 batch incomplete: {summary.line()}")
        self._finish(EX_OK, f"2.0.0 batch: {summary.line()}")

    def _replay(self, inbound_id: int) -> None:
        from mailgate.models import InboundEmail
        from mailgate.services import replay
        from tracker.principals import system_user

        inbound = InboundEmail.objects.filter(pk=inbound_id).first()
        if inbound is None:
            self._finish(EX_NOUSER, f"no stored message #{inbound_id}")
        result = replay(inbound=inbound, actor=system_user())
        self._finish(EX_OK, f"#{result.inbound_id} {result.status} {result.reason}")

    def _finish(self, code: int, message: str) -> None:
        stream = sys.stdout if code == EX_OK else sys.stderr
        stream.write(_one_line(message)[:500] + "\n")
        stream.flush()
        raise SystemExit(code)


def _one_line(value: object) -> str:
    return " ".join(str(value).split()) or value.__class__.__name__
