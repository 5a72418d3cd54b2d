"""The `tracker` command: search, read and change tickets through the REST 2.0 API.

Exit codes: 0 success, 1 the server refused or failed (message on stderr), 2 bad usage
or configuration, 3 the server could not be reached.
"""

from __future__ import annotations

import argparse
import base64
import mimetypes
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from tracker.cli import output
from tracker.cli.client import ApiError, Client
from tracker.cli.config import ConfigError, load_settings

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
DEFAULT_FIELDS = "id,Subject,Status,Queue,Owner,Priority"
LINK_KINDS = (
    "DependsOn",
    "DependedOnBy",
    "MemberOf",
    "HasMember",
    "RefersTo",
    "ReferredToBy",
)
SHOW_FIELDS = (
    "Subject",
    "Status",
    "Queue",
    "Owner",
    "Creator",
    "Requestor",
    "Cc",
    "AdminCc",
    "Priority",
    "InitialPriority",
    "FinalPriority",
    "TimeEstimated",
    "TimeWorked",
    "TimeLeft",
    "Created",
    "Starts",
    "Started",
    "Due",
    "Resolved",
    "Told",
    "LastUpdated",
)
MESSAGE_TYPES = ("Create", "Correspond", "Comment")


class UsageError(Exception):
    """Bad arguments that argparse cannot catch (e.g. no message body)."""


class Session:
    """The client plus the streams and small caches one command run needs."""

    def __init__(self, client: Client, stdin: TextIO, stdout: TextIO) -> None:
        self.client = client
        self.stdin = stdin
        self.stdout = stdout
        self._queues: dict[str, str] = {}

    def write(self, text: str) -> None:
        self.stdout.write(text)

    def name_of(self, ref: dict) -> str:
        """Queues by name (one lookup per queue), everything else by id."""
        if ref.get("type") != "queue":
            return str(ref.get("id", ""))
        key = str(ref.get("id", ""))
        if key not in self._queues:
            try:
                self._queues[key] = self.client.get(f"queue/{key}").get("Name", key)
            except ApiError:
                self._queues[key] = key
        return self._queues[key]


# --- message bodies ---------------------------------------------------------------------


def read_body(args: argparse.Namespace, session: Session, *, required: bool) -> str:
    """The message from the TEXT argument, --file (- for stdin), or piped stdin."""
    if getattr(args, "text", None):
        return args.text
    if getattr(args, "file", None):
        if args.file == "-":
            return session.stdin.read()
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {args.file}: {error}") from None
    if not session.stdin.isatty():
        return session.stdin.read()
    if required:
        raise UsageError("no message: give TEXT, --file FILE, or pipe it on stdin")
    return ""


def attachments(paths: Sequence[str]) -> list[dict[str, str]]:
    files = []
    for name in paths:
        path = Path(name)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise UsageError(f"cannot read attachment {name}: {error}") from None
        files.append(
            {
                "FileName": path.name,
                "FileType": mimetypes.guess_type(path.name)[0]
                or "application/octet-stream",
                "FileContent": base64.b64encode(content).decode("ascii"),
            }
        )
    return files


def custom_fields(pairs: Sequence[str]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--cf takes Name=value, not '{pair}'")
        result.setdefault(name.strip(), []).append(value)
    return result


def print_messages(session: Session, messages: Any) -> None:
    if isinstance(messages, list):
        for message in messages:
            session.write(f"{message}\n")


# --- commands ---------------------------------------------------------------------------


def cmd_ls(args: argparse.Namespace, session: Session) -> int:
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    api_fields = [f for f in fields if f != "id"]
    items = list(
        session.client.pages(
            "tickets",
            limit=args.limit,
            query=args.query,
            fields=",".join(api_fields),
            orderby=args.orderby,
            order=args.order,
        )
    )
    if args.format == "json":
        session.write(output.json_text(items))
        return EXIT_OK
    rows = [
        [
            str(item.get("id", ""))
            if name == "id"
            else output.plain(item.get(name), session.name_of)
            for name in fields
        ]
        for item in items
    ]
    if args.format == "csv":
        session.write(output.csv_text(rows, fields))
    else:
        session.write(output.table(rows, fields))
    return EXIT_OK


def _ticket_pairs(record: dict, session: Session) -> list[tuple[str, str]]:
    pairs = [("id", str(record.get("id", "")))]
    for name in SHOW_FIELDS:
        value = output.plain(record.get(name), session.name_of)
        if value or name in ("Subject", "Status", "Queue", "Owner"):
            pairs.append((name, value))
    for field in record.get("CustomFields") or []:
        pairs.append((f"CF.{{{field['name']}}}", ", ".join(field.get("values", []))))
    return pairs


def _message_text(session: Session, transaction_id: str) -> str:
    parts = session.client.get(
        f"transaction/{transaction_id}/attachments", fields="ContentType,Filename"
    )
    for part in parts.get("items", []):
        if part.get("ContentType") == "text/plain" and not part.get("Filename"):
            content = session.client.get(f"attachment/{part['id']}").get("Content", "")
            return base64.b64decode(content).decode("utf-8", errors="replace")
    return ""


def cmd_show(args: argparse.Namespace, session: Session) -> int:
    record = session.client.get(f"ticket/{args.id}")
    history = []
    if args.history:
        history = list(
            session.client.pages(
                f"ticket/{args.id}/history", fields="Type,Creator,Created,Description"
            )
        )
        for txn in history:
            if txn.get("Type") in MESSAGE_TYPES:
                txn["Content"] = _message_text(session, str(txn["id"]))
    if args.format == "json":
        session.write(
            output.json_text({**record, "History": history} if args.history else record)
        )
        return EXIT_OK
    session.write(output.key_values(_ticket_pairs(record, session)))
    for txn in history:
        creator = output.plain(txn.get("Creator"))
        session.write(
            f"\n--- {txn.get('Created', '')} {creator}: {txn.get('Description', '')}\n"
        )
        if txn.get("Content"):
            session.write(txn["Content"].rstrip("\n") + "\n")
    return EXIT_OK


def cmd_create(args: argparse.Namespace, session: Session) -> int:
    body: dict[str, Any] = {"Queue": args.queue, "Subject": args.subject}
    text = read_body(args, session, required=False)
    if text:
        body["Content"] = text
    for key, value in (
        ("Requestor", args.requestor),
        ("Cc", args.cc),
        ("AdminCc", args.admincc),
        ("Owner", args.owner),
        ("Status", args.status),
        ("Priority", args.priority),
        ("Due", args.due),
    ):
        if value not in (None, []):
            body[key] = value
    if args.cf:
        body["CustomFields"] = custom_fields(args.cf)
    if args.attach:
        body["Attachments"] = attachments(args.attach)
    created = session.client.post("ticket", body)
    session.write(f"{created['id']}\n")
    return EXIT_OK


def _message(kind: str) -> Callable[[argparse.Namespace, Session], int]:
    def run(args: argparse.Namespace, session: Session) -> int:
        body: dict[str, Any] = {}
        text = read_body(args, session, required=not args.attach)
        if text:
            body["Content"] = text
        if args.attach:
            body["Attachments"] = attachments(args.attach)
        if args.status:
            body["Status"] = args.status
        if args.time:
            body["TimeTaken"] = args.time
        print_messages(session, session.client.post(f"ticket/{args.id}/{kind}", body))
        return EXIT_OK

    return run


def cmd_edit(args: argparse.Namespace, session: Session) -> int:
    body: dict[str, Any] = {}
    for key, value in (
        ("Subject", args.subject),
        ("Status", args.status),
        ("Owner", args.owner),
        ("Queue", args.queue),
        ("Priority", args.priority),
        ("Due", args.due),
    ):
        if value is not None:
            body[key] = value
    if args.cf:
        body["CustomFields"] = custom_fields(args.cf)
    for role in ("Requestor", "Cc", "AdminCc"):
        for verb in ("Add", "Delete"):
            values = getattr(args, f"{verb.lower()}_{role.lower()}")
            if values:
                body[f"{verb}{role}"] = values
    if not body:
        raise UsageError("nothing to change: give at least one option (see --help)")
    print_messages(session, session.client.put(f"ticket/{args.id}", body))
    return EXIT_OK


def cmd_take(args: argparse.Namespace, session: Session) -> int:
    print_messages(session, session.client.put(f"ticket/{args.id}/take"))
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace, session: Session) -> int:
    print_messages(
        session, session.client.put(f"ticket/{args.id}", {"Status": "resolved"})
    )
    return EXIT_OK


def cmd_link(args: argparse.Namespace, session: Session) -> int:
    kind = next(k for k in LINK_KINDS if k.lower() == args.kind.lower())
    verb = "Delete" if args.delete else "Add"
    print_messages(
        session,
        session.client.put(f"ticket/{args.id}", {f"{verb}{kind}": [args.other]}),
    )
    return EXIT_OK


def cmd_merge(args: argparse.Namespace, session: Session) -> int:
    print_messages(
        session, session.client.put(f"ticket/{args.id}", {"MergeInto": args.into})
    )
    return EXIT_OK


# --- argument parsing -------------------------------------------------------------------


def _ticket_id(text: str) -> int:
    value = text.lstrip("#")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a ticket number")
    return int(value)


def _link_kind(text: str) -> str:
    if text.lower() not in (k.lower() for k in LINK_KINDS):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a link type (use one of {', '.join(LINK_KINDS)})"
        )
    return text


def _message_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the message (else --file or stdin)")
    parser.add_argument(
        "--file", "-f", help="read the message from FILE ('-' for stdin)"
    )
    parser.add_argument(
        "--attach",
        "-a",
        action="append",
        default=[],
        metavar="FILE",
        help="attach FILE (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Work with tickets on a tracker server through its REST 2.0 API. "
        "Server and token come from TRACKER_URL / TRACKER_TOKEN or ~/.config/tracker/config.",
        epilog="Exit codes: 0 ok, 1 refused by the server, 2 bad usage or configuration, "
        "3 server unreachable.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = commands.add_parser(
        "ls",
        help="search tickets with TicketSQL",
        description="Search tickets with TicketSQL, e.g. tracker ls \"Queue = 'General' AND Status = '__Active__'\".",
    )
    ls.add_argument(
        "query", nargs="?", default="", help="a TicketSQL query (default: all tickets)"
    )
    ls.add_argument(
        "--fields",
        default=DEFAULT_FIELDS,
        help=f"comma-separated fields (default {DEFAULT_FIELDS})",
    )
    ls.add_argument("--format", choices=("table", "json", "csv"), default="table")
    ls.add_argument("--orderby", default="id", help="sort field(s), comma-separated")
    ls.add_argument("--order", choices=("ASC", "DESC"), type=str.upper, default="ASC")
    ls.add_argument("--limit", type=int, default=None, help="stop after N tickets")
    ls.set_defaults(run=cmd_ls)

    show = commands.add_parser(
        "show",
        help="show a ticket",
        description="Show one ticket's fields, and with --history its history and messages.",
    )
    show.add_argument("id", type=_ticket_id)
    show.add_argument("--history", action="store_true", help="also print the history")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=cmd_show)

    create = commands.add_parser(
        "create",
        help="create a ticket; prints its number",
        description="Create a ticket and print its number on stdout.",
    )
    create.add_argument("--queue", "-q", required=True)
    create.add_argument("--subject", "-s", required=True)
    create.add_argument(
        "--requestor", action="append", default=[], help="repeatable; default: you"
    )
    create.add_argument("--cc", action="append", default=[])
    create.add_argument("--admincc", action="append", default=[])
    create.add_argument("--owner")
    create.add_argument("--status")
    create.add_argument("--priority", type=int)
    create.add_argument("--due", help="a date, e.g. 2030-01-31 or 2030-01-31T17:00:00Z")
    create.add_argument(
        "--cf",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="custom field value (repeatable)",
    )
    _message_options(create)
    create.set_defaults(run=cmd_create)

    for name, kind, about in (
        ("reply", "correspond", "reply to the requestors"),
        ("comment", "comment", "add a private comment"),
    ):
        message = commands.add_parser(
            name,
            help=about,
            description=f"{about[0].upper()}{about[1:]}; the text comes from TEXT, --file or stdin.",
        )
        message.add_argument("id", type=_ticket_id)
        _message_options(message)
        message.add_argument("--status", help="also change the status")
        message.add_argument("--time", type=int, metavar="MINUTES", help="time taken")
        message.set_defaults(run=_message(kind))

    edit = commands.add_parser(
        "edit",
        help="change fields, custom fields and watchers",
        description="Change a ticket's fields, custom fields and watchers.",
    )
    edit.add_argument("id", type=_ticket_id)
    edit.add_argument("--subject")
    edit.add_argument("--status")
    edit.add_argument("--owner", help="a username, or Nobody")
    edit.add_argument("--queue")
    edit.add_argument("--priority", type=int)
    edit.add_argument("--due", help="a date; empty to clear")
    edit.add_argument(
        "--cf",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a custom field (repeat for several values)",
    )
    for role in ("requestor", "cc", "admincc"):
        edit.add_argument(f"--add-{role}", action="append", default=[], metavar="WHO")
        edit.add_argument(
            f"--delete-{role}", action="append", default=[], metavar="WHO"
        )
    edit.set_defaults(run=cmd_edit)

    for name, run, about in (
        ("take", cmd_take, "become the owner of an unowned ticket"),
        ("resolve", cmd_resolve, "set the status to resolved"),
    ):
        sub = commands.add_parser(
            name, help=about, description=about[0].upper() + about[1:] + "."
        )
        sub.add_argument("id", type=_ticket_id)
        sub.set_defaults(run=run)

    link = commands.add_parser(
        "link",
        help="link two tickets",
        description=f"Add (or with --delete remove) a link: ID KIND OTHER, KIND one of {', '.join(LINK_KINDS)}.",
    )
    link.add_argument("id", type=_ticket_id)
    link.add_argument("kind", type=_link_kind)
    link.add_argument("other", help="a ticket number or a URI")
    link.add_argument("--delete", "-d", action="store_true")
    link.set_defaults(run=cmd_link)

    merge = commands.add_parser(
        "merge",
        help="merge a ticket into another",
        description="Merge ticket ID into ticket INTO.",
    )
    merge.add_argument("id", type=_ticket_id)
    merge.add_argument("into", type=_ticket_id)
    merge.set_defaults(run=cmd_merge)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    env: dict[str, str] | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code (the console script exits with it)."""
    stdout, stderr = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        settings = load_settings(env)
        session = Session(
            Client(settings.url, settings.token), stdin or sys.stdin, stdout
        )
        return args.run(args, session)
    except (ConfigError, UsageError) as error:
        stderr.write(f"tracker {args.command}: {error}\n")
        return EXIT_USAGE
    except ApiError as error:
        status = f" (HTTP {error.status})" if error.status else ""
        stderr.write(f"tracker {args.command}: {error.message}{status}\n")
        return EXIT_API if error.status else EXIT_UNREACHABLE
    except BrokenPipeError:
        return EXIT_OK
