"""`manage.py mailgate` without Django: the two paths an MTA runs per message.

Starting Django costs about a second here, far more than the work one message needs, so
manage.py calls `dispatch()` before importing Django:

- with `--url`, the rt-mailgate-like client posts the message (mailgate.client);
- with a Redis broker configured (CELERY_BROKER_URL, from the environment or the
  `.env` file the settings read), the spool path inserts the raw message as an
  InboundEmail row in the RECEIVED state, in one transaction, and exits 0 only after the
  commit; then it pushes a `mailgate.tasks.process_inbound_task` message to the broker
  so a worker applies it with the usual ingest code (mailgate.services.process_spooled).
  A lost wake-up costs only latency: beat's `mailgate.tasks.drain_spool_task` processes
  any row still RECEIVED.

Everything else (no broker, another settings module, an option this parser does not
know, `--replay`) returns None and the Django command runs as before. Only the standard
library, mailgate.delivery, mailgate.client and the database driver are imported.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import socket
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

EX_OK = 0
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75

BASE_DIR = Path(__file__).resolve().parent.parent
# mailgate.services.max_message_size()'s default; a deployment that changes it runs its
# own settings module, which sends it down the Django path.
MAX_MESSAGE_SIZE = 40 * 1024 * 1024
SETTINGS_MODULE = "tracker.settings"
PROCESS_TASK = "mailgate.tasks.process_inbound_task"
CELERY_QUEUE = "celery"
SPOOL_OFF = ("0", "off", "false", "no")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "psql")


class Finish(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Fallback(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # Django's command gives bad invocations their answer (75, one line).
        raise _Fallback(message)


def build_parser() -> argparse.ArgumentParser:
    """The options of mailgate.management.commands.mailgate, parsed the same way."""
    parser = _Parser(prog="manage.py mailgate", add_help=False)
    parser.add_argument("--queue", default="General")
    parser.add_argument("--action", default="correspond")
    parser.add_argument("--ticket", default="")
    parser.add_argument("--extension", choices=["queue", "action", "ticket"])
    parser.add_argument("--url", default="")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--replay", type=int)
    parser.add_argument("--maildir")
    parser.add_argument("--mbox")
    return parser


def dispatch(argv: list[str], environ: Mapping[str, str] | None = None) -> int | None:
    """The exit status when a lean path handled the invocation, or None to run Django.

    Nothing is read from stdin before the path is chosen, so falling back is safe."""
    environ = os.environ if environ is None else environ
    try:
        options, unknown = build_parser().parse_known_args(argv)
        if unknown or options.replay or options.maildir or options.mbox:
            return None
        target = None if options.url else spool_target(environ)
    except Exception:  # noqa: BLE001 - undecided: the Django command answers instead
        return None
    if options.url:
        return _run(lambda: _post(options, environ))
    if target is None:
        return None
    return _run(lambda: _spool(options, environ, target))


def _run(work: Any) -> int:
    """The process boundary: exactly one line out, a sysexits status, no traceback."""
    try:
        work()
    except Finish as done:
        return _finish(done.code, done.message)
    except Exception as exc:  # noqa: BLE001 - not stored: the MTA must retry
        return _finish(EX_TEMPFAIL, f"4.3.0 temporary failure: {_one_line(exc)}")
    return _finish(EX_TEMPFAIL, "4.3.0 mailgate: no answer")


def _finish(code: int, message: str) -> int:
    stream = sys.stdout if code == EX_OK else sys.stderr
    stream.write(_one_line(message)[:500] + "\n")
    stream.flush()
    return code


def _one_line(value: object) -> str:
    return " ".join(str(value).split()) or value.__class__.__name__


def _read_message() -> bytes:
    try:
        raw = sys.stdin.buffer.read(MAX_MESSAGE_SIZE + 1)
    except OSError as exc:
        raise Finish(EX_TEMPFAIL, f"4.3.0 cannot read the message: {exc}") from None
    if not raw.strip():
        raise Finish(EX_OK, "2.0.0 empty message ignored")
    return raw


def _delivery(options: argparse.Namespace, environ: Mapping[str, str]) -> Any:
    from mailgate.delivery import RouteError, apply_extension, parse_actions

    try:
        parse_actions(options.action)
    except RouteError as exc:
        raise Finish(EX_TEMPFAIL, f"4.3.5 mailgate misconfigured: {exc}") from None
    try:
        return apply_extension(
            queue=options.queue,
            action=options.action,
            ticket=options.ticket or None,
            mode=options.extension,
            extension=environ.get("EXTENSION", ""),
        )
    except RouteError as exc:
        raise Finish(EX_NOUSER, f"5.1.1 {exc}") from None


# --- mailgate --url --------------------------------------------------------------------


def _post(options: argparse.Namespace, environ: Mapping[str, str]) -> None:
    from mailgate.client import post_message

    raw = _read_message()
    delivery = _delivery(options, environ)
    answer = post_message(
        url=options.url,
        message=raw,
        queue=delivery.queue,
        action="-".join(delivery.actions),
        ticket=str(delivery.ticket_id or ""),
        timeout=options.timeout,
    )
    if answer.verdict == "ok":
        raise Finish(EX_OK, "2.0.0 delivered")
    if answer.verdict == "not ok":
        detail = answer.detail
        if detail.startswith("5.3.4"):
            raise Finish(EX_DATAERR, detail)
        if detail.startswith(("5.1.", "5.2.")):
            raise Finish(EX_NOUSER, detail)
        raise Finish(EX_OK, f"2.0.0 refused by the gateway: {detail}")
    raise Finish(EX_TEMPFAIL, f"4.3.0 {answer.detail}")


# --- the spool path ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpoolTarget:
    database_url: str  # postgresql://... or sqlite:///path
    broker_url: str  # redis://...


def read_dotenv(path: Path) -> dict[str, str]:
    """The `.env` lines tracker.settings reads (django-environ's read_env format,
    without comment parsing)."""
    import re

    values: dict[str, str] = {}
    try:
        content = path.read_text()
    except OSError:
        return values
    for line in content.splitlines():
        match = re.match(r"\A(?:export )?([A-Za-z_0-9]+)=(.*)\Z", line)
        if not match:
            continue
        key, value = match.groups()
        single = re.match(r"\A'(.*)'\Z", value)
        if single:
            value = single.group(1)
        double = re.match(r'\A"(.*)"\Z', value)
        if double:
            value = re.sub(
                r"\\(.)",
                lambda m: "\\" + m.group(1) if m.group(1) in "rnt" else m.group(1),
                double.group(1),
            )
        values[key] = value
    return values


def spool_target(environ: Mapping[str, str]) -> SpoolTarget | None:
    """Where to spool, or None when the Django path must run: no Redis broker (tasks
    run in-process then), MAILGATE_SPOOL=off, another settings module, or a database
    this path cannot write."""
    if environ.get("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE) != SETTINGS_MODULE:
        return None
    # As tracker.settings does: the environment wins over the .env file.
    merged = {**read_dotenv(BASE_DIR / ".env"), **environ}
    if merged.get("MAILGATE_SPOOL", "on").strip().lower() in SPOOL_OFF:
        return None
    broker = merged.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        return None
    database = merged.get("DATABASE_URL", "")
    if not database:
        var_dir = merged.get("TRACKER_VAR_DIR") or str(BASE_DIR / "var")
        database = f"sqlite:///{Path(var_dir) / 'tracker.sqlite3'}"
    if "$" in database or "$" in broker:
        return None  # django-environ's $VAR proxies: leave them to the settings
    scheme = database.partition("://")[0].lower()
    if scheme in POSTGRES_SCHEMES:
        return SpoolTarget("postgresql://" + database.partition("://")[2], broker)
    if scheme == "sqlite" and database != "sqlite://:memory:" and sqlite_path(database):
        return SpoolTarget(database, broker)
    return None


# The row the spool path inserts, one value per column of mailgate_inboundemail but the
# id; tests/mailgate/test_spool.py checks the names against the model, so a new field
# cannot be forgotten here. Values are filled in by _spool_row().
SPOOL_COLUMNS = (
    "raw",
    "sha256",
    "size",
    "message_id",
    "dedupe_key",
    "queue_id",
    "action",
    "requested_ticket",
    "envelope_sender",
    "envelope_recipient",
    "extension",
    "interface",
    "sender",
    "subject",
    "status",
    "reason",
    "alert_key",
    "is_auto_generated",
    "notice",
    "notice_sent_at",
    "ticket_id",
    "transaction_id",
    "duplicate_of_id",
    "received_at",
    "processed_at",
    "replayed_by_id",
)
RECEIVED = "received"


def _spool_row(
    raw: bytes, queue_id: int, delivery: Any, environ: Mapping[str, str]
) -> dict[str, Any]:
    extension = environ.get("EXTENSION", "")
    recipient = environ.get("ORIGINAL_RECIPIENT") or environ.get("RECIPIENT", "")
    return {
        "raw": raw,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        # Filled by the worker, which also sets the dedupe key (process_spooled).
        "message_id": "",
        "dedupe_key": None,
        "queue_id": queue_id,
        "action": "-".join(delivery.actions),
        "requested_ticket": delivery.ticket_id,
        "envelope_sender": environ.get("SENDER", "")[:255],
        "envelope_recipient": recipient[:255],
        "extension": extension[:255],
        "interface": "pipe",
        "sender": "",
        "subject": "",
        "status": RECEIVED,
        "reason": "",
        "alert_key": "",
        "is_auto_generated": False,
        "notice": "",
        "notice_sent_at": None,
        "ticket_id": None,
        "transaction_id": None,
        "duplicate_of_id": None,
        "received_at": datetime.now(UTC),
        "processed_at": None,
        "replayed_by_id": None,
    }


def _check_queue(row: tuple | None, name: str) -> int:
    """mailgate.services.find_queue's answers, from (id, name, is_active)."""
    if row is None:
        raise Finish(EX_NOUSER, f"5.1.1 Unknown queue '{name[:80]}'")
    queue_id, queue_name, is_active = row
    if not is_active:
        raise Finish(EX_NOUSER, f"5.2.1 Queue '{queue_name}' is disabled")
    return queue_id


def _queue_query(name: str, placeholder: str) -> tuple[str, tuple]:
    base = "SELECT id, name, is_active FROM queues_queue WHERE "
    if name.isdigit():
        return base + f"id = {placeholder}", (int(name),)
    return base + f"upper(name) = upper({placeholder})", (name,)


def _one_queue(rows: list[tuple], name: str) -> tuple | None:
    if len(rows) > 1:
        raise RuntimeError(f"more than one queue is named '{name[:80]}'")
    return rows[0] if rows else None


def store_postgresql(url: str, raw: bytes, delivery: Any, environ: Mapping) -> int:
    import psycopg

    name = (delivery.queue or "").strip()
    # Leaving the block commits; an error before that rolls back (and exits 75).
    with (
        psycopg.connect(url, connect_timeout=10, autocommit=False) as db,
        db.cursor() as cursor,
    ):
        cursor.execute(*_queue_query(name, "%s"))
        queue_id = _check_queue(_one_queue(cursor.fetchall(), name), name)
        row = _spool_row(raw, queue_id, delivery, environ)
        columns = ", ".join(SPOOL_COLUMNS)
        marks = ", ".join(["%s"] * len(SPOOL_COLUMNS))
        cursor.execute(
            f"INSERT INTO mailgate_inboundemail ({columns}) VALUES ({marks}) "  # noqa: S608 - fixed column names
            "RETURNING id",
            [row[c] for c in SPOOL_COLUMNS],
        )
        (inbound_id,) = cursor.fetchone()
    return inbound_id


def sqlite_path(url: str) -> str:
    """The file of a sqlite:// URL, read as django-environ reads it."""
    return unquote_plus(urlsplit(url).path[1:].split("?", 2)[0])


def store_sqlite(url: str, raw: bytes, delivery: Any, environ: Mapping) -> int:
    import sqlite3

    path = sqlite_path(url)
    name = (delivery.queue or "").strip()
    # The settings' busy timeout; IMMEDIATE as the settings' transaction_mode.
    db = sqlite3.connect(path, timeout=20, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        queue_id = _check_queue(
            _one_queue(db.execute(*_queue_query(name, "?")).fetchall(), name), name
        )
        row = _spool_row(raw, queue_id, delivery, environ)
        # Django's SQLite format for aware datetimes (UTC, no offset).
        row["received_at"] = row["received_at"].strftime("%Y-%m-%d %H:%M:%S.%f")
        columns = ", ".join(SPOOL_COLUMNS)
        marks = ", ".join(["?"] * len(SPOOL_COLUMNS))
        cursor = db.execute(
            f"INSERT INTO mailgate_inboundemail ({columns}) VALUES ({marks})",  # noqa: S608 - fixed column names
            [row[c] for c in SPOOL_COLUMNS],
        )
        inbound_id = cursor.lastrowid
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()
    return inbound_id


def _spool(
    options: argparse.Namespace, environ: Mapping[str, str], target: SpoolTarget
) -> None:
    raw = _read_message()
    if len(raw) > MAX_MESSAGE_SIZE:
        raise Finish(
            EX_DATAERR,
            f"5.3.4 Message too big for system: the limit is {MAX_MESSAGE_SIZE} bytes",
        )
    delivery = _delivery(options, environ)
    store = (
        store_sqlite if target.database_url.startswith("sqlite") else store_postgresql
    )
    try:
        inbound_id = store(target.database_url, raw, delivery, environ)
    except Finish:
        raise
    except Exception as exc:  # noqa: BLE001 - not stored: the MTA must retry
        raise Finish(
            EX_TEMPFAIL, f"4.3.0 temporary failure: {_one_line(exc)}"
        ) from None
    # Stored and committed: from here on the answer is 0 whatever happens.
    try:
        wake_worker(target.broker_url, inbound_id)
    except Exception as exc:  # noqa: BLE001 - beat's drain picks the row up later
        raise Finish(
            EX_OK,
            f"2.0.0 stored as #{inbound_id} (received; worker not woken: "
            f"{_one_line(exc)[:120]})",
        ) from None
    raise Finish(EX_OK, f"2.0.0 stored as #{inbound_id} (received)")


# --- waking a worker ------------------------------------------------------------------


def task_message(task: str, args: list[Any], queue: str = CELERY_QUEUE) -> bytes:
    """A Celery protocol 2 task message as kombu's Redis transport stores it in the
    queue's list (what `app.send_task(task, args)` writes, byte for byte in form)."""
    task_id = str(uuid.uuid4())
    body = json.dumps(
        [args, {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]
    ).encode()
    envelope = {
        "body": base64.b64encode(body).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py",
            "task": task,
            "id": task_id,
            "shadow": None,
            "eta": None,
            "expires": None,
            "group": None,
            "group_index": None,
            "retries": 0,
            "timelimit": [None, None],
            "root_id": task_id,
            "parent_id": None,
            "argsrepr": repr(args),
            "kwargsrepr": "{}",
            "origin": f"mailgate{os.getpid()}@{socket.gethostname()}",
            "ignore_result": None,
            "replaced_task_nesting": 0,
            "stamped_headers": None,
            "stamps": {},
        },
        "properties": {
            "correlation_id": task_id,
            "reply_to": str(uuid.uuid4()),
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    return json.dumps(envelope).encode()


def _resp(*parts: bytes | str) -> bytes:
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out += [f"${len(data)}\r\n".encode(), data, b"\r\n"]
    return b"".join(out)


def redis_command(url: str, *command: bytes | str, timeout: float = 5) -> bytes:
    """Run one command on the Redis server of a redis:// URL (AUTH and SELECT first as
    the URL asks); returns the reply line. Raises on an error reply."""
    parts = urlsplit(url)
    db = (parts.path or "/0").strip("/") or "0"
    commands = []
    if parts.password:
        auth = [unquote(parts.password)]
        if parts.username:
            auth.insert(0, unquote(parts.username))
        commands.append(_resp("AUTH", *auth))
    if db != "0":
        commands.append(_resp("SELECT", db))
    commands.append(_resp(*command))
    with socket.create_connection(
        (parts.hostname or "localhost", parts.port or 6379), timeout=timeout
    ) as conn:
        conn.sendall(b"".join(commands))
        reader = conn.makefile("rb")
        reply = b""
        for _ in commands:
            reply = reader.readline()
            if not reply or reply.startswith(b"-"):
                raise OSError(f"redis: {reply.decode(errors='replace').strip()}")
    return reply.strip()


def wake_worker(broker_url: str, inbound_id: int) -> None:
    """Queue process_inbound_task(inbound_id) for the Celery workers."""
    redis_command(
        broker_url, "LPUSH", CELERY_QUEUE, task_message(PROCESS_TASK, [inbound_id])
    )
