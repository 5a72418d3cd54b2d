"""What the tracker is measured on. Each function returns Measurement rows."""

from __future__ import annotations

import os
import re
import smtplib
import subprocess
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from bench import mails
from bench.dataset import Fixture
from bench.http import Client, basic_auth, load
from bench.stack import LMTP_PORT, PYTHON, ROOT, WEB_PORT, Stack, peak_rss_kb
from bench.stats import Measurement, summarize, time_calls

BASE = f"http://127.0.0.1:{WEB_PORT}"
BIG_TABLES = (
    "tracker_ticket",
    "tracker_transaction",
    "tracker_attachment",
    "tracker_searchdocument",
    "tracker_ticketwatcher",
    "tracker_customfieldvalue",
)


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"benchmark operation failed: {what}")


# ---------------------------------------------------------------- data set


def loader_row(result: object) -> Measurement:
    """The bulk loader's rate for the run's data set (`manage.py generate_data`)."""
    row = Measurement(
        name="generate_data, tickets a second",
        group="loader",
        n=result.tickets,  # type: ignore[attr-defined]
    )
    row.throughput = round(result.tickets_per_second, 1)  # type: ignore[attr-defined]
    row.extra.update(
        seconds=round(result.seconds, 1),  # type: ignore[attr-defined]
        transactions=result.transactions,  # type: ignore[attr-defined]
        attachments=result.attachments,  # type: ignore[attr-defined]
    )
    return row


# ---------------------------------------------------------------- mail


def _run_mailgate(
    args: list[str], message: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, str(ROOT / "manage.py"), "mailgate", *args],
        input=message,
        capture_output=True,
        cwd=ROOT,
        check=False,
        env=env,
    )


def _production_env() -> dict[str, str]:
    """The run's environment with the tracker's own settings module, as an MTA's pipe
    would have it: the mail gateway may then take its fast path (store the raw message,
    leave it to the worker)."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}


_STORED = re.compile(rb"stored as #(\d+)")


def _pending_inbound(ids: list[int]) -> int:
    from mailgate.models import InboundEmail, InboundStatus

    return InboundEmail.objects.filter(
        pk__in=ids, status=InboundStatus.RECEIVED
    ).count()


def mail_pipe(n: int, timeout: float = 120) -> list[Measurement]:
    """`manage.py mailgate` per piped message, process start included, under the
    production settings; then the end-to-end rate (the pipe may only store the message
    for a worker): N messages piped one after the other, over the time from the first
    pipe until every one is processed. And the pipe's start-up broken down: a bare
    interpreter, Django set up, the command on an empty message."""
    rows = []
    env = _production_env()
    stored: list[int] = []
    spooled = {"count": 0}

    first = {"at": 0.0}

    def piped(i: int) -> None:
        if i == 0:
            first["at"] = time.perf_counter()
        done = _run_mailgate(["--queue", "General"], mails.new_ticket_mail(i), env)
        _check(
            done.returncode == 0 and b"stored as #" in done.stdout,
            f"mailgate: {done.stdout!r} {done.stderr!r}",
        )
        if i >= 0:
            stored.append(int(_STORED.search(done.stdout).group(1)))  # type: ignore[union-attr]
            spooled["count"] += b"ticket #" not in done.stdout

    samples, wall = time_calls(piped, n)
    t0 = first["at"]
    row = summarize(
        "mailgate pipe, new ticket (process start included)", "mail", samples, wall
    )
    row.notes.append(
        f"{spooled['count']} of {len(samples)} left to the worker"
        if spooled["count"]
        else "processed in the pipe (no spool)"
    )
    rows.append(row)
    _drain(lambda: _pending_inbound(stored) == 0, timeout)
    end = time.perf_counter()
    left = _pending_inbound(stored)
    e2e = Measurement(
        name="mailgate pipe, end to end (piped one by one, until processed)",
        group="mail",
        n=len(stored),
    )
    e2e.throughput = round(len(stored) / (end - t0), 2) if end > t0 else None
    e2e.extra.update(seconds=round(end - t0, 2), pending_at_end=left)
    e2e.notes.append(
        f"{len(stored)} messages in {end - t0:.1f} s"
        + (f"; {left} still unprocessed after {timeout:.0f} s" if left else "")
    )
    rows.append(e2e)

    def bare(_: int) -> None:
        subprocess.run([PYTHON, "-c", "pass"], check=True)  # noqa: S603

    def setup_only(_: int) -> None:
        subprocess.run(  # noqa: S603
            [PYTHON, "-c", "import django; django.setup()"], check=True, cwd=ROOT
        )

    def empty(_: int) -> None:
        done = _run_mailgate(["--queue", "General"], b"", env)
        _check(done.returncode == 0, "mailgate on an empty message")

    # Start-up costs vary little between calls: a few samples give a stable median.
    for label, fn in (
        ("start-up: bare python interpreter", bare),
        ("start-up: python + django.setup()", setup_only),
        ("start-up: manage.py mailgate, empty message", empty),
    ):
        samples, wall = time_calls(fn, max(3, n // 3))
        rows.append(summarize(label, "mail", samples, wall))
    return rows


# ---------------------------------------------------------------- batch ingestion

BATCH_ROWS = (
    ("maildir", "new tickets"),
    ("maildir", "replies"),
    ("mbox", "new tickets"),
    ("mbox", "replies"),
)


def _batch_row_name(kind: str, what: str) -> str:
    return f"mailgate --{kind}, {what} (batch, one process)"


def batch_available(kind: str) -> bool:
    """Whether `manage.py mailgate` has `--maildir`/`--mbox` (read from its source:
    asking `--help` would cost a Django start)."""
    source = ROOT / "mailgate" / "management" / "commands" / "mailgate.py"
    try:
        return f'"--{kind}"' in source.read_text()
    except OSError:
        return False


def _general_tickets(numbers: range) -> dict[int, int]:
    """Ticket ids in General by the number `mails.new_ticket_mail` put in the subject."""
    from tracker.models import Ticket

    found = {}
    for pk, subject in Ticket.objects.filter(queue__name="General").values_list(
        "pk", "subject"
    ):
        number = subject.rsplit("(", 1)[-1].rstrip(")")
        if number.isdigit() and int(number) in numbers:
            found[int(number)] = pk
    return found


def mail_batch(n: int) -> list[Measurement]:
    """`manage.py mailgate --maildir DIR` and `--mbox FILE` on N generated messages, in
    one process: new tickets, then replies tagged `[rtname #id]` to those tickets (from
    their requestors). Messages a second = N / wall time, process start included."""
    import mailbox
    import tempfile

    from django.conf import settings

    rtname = getattr(settings, "TRACKER_RTNAME", "tracker")
    rows = []
    for offset, (kind, what) in enumerate(BATCH_ROWS):
        name = _batch_row_name(kind, what)
        if not batch_available(kind):
            rows.append(
                Measurement(
                    name=name,
                    group="mail",
                    notes=[f"not available: manage.py mailgate has no --{kind}"],
                )
            )
            continue
        # Replies answer the tickets the same kind's new-ticket row just created.
        numbers = range(
            40_000 + 2_000 * (offset // 2), 40_000 + 2_000 * (offset // 2) + n
        )
        if what == "replies":
            tickets = _general_tickets(numbers)
            messages = [
                mails.new_ticket_mail(i, tag=f"[{rtname} #{tickets[i]}]")
                for i in numbers
                if i in tickets
            ]
        else:
            messages = [mails.new_ticket_mail(i) for i in numbers]
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
            if kind == "maildir":
                target = Path(tmp) / "Maildir"
                box = mailbox.Maildir(target, create=True)
            else:
                target = Path(tmp) / "mbox"
                box = mailbox.mbox(target, create=True)
            for message in messages:
                box.add(message)
            box.flush()
            t0 = time.perf_counter()
            done = _run_mailgate(
                [f"--{kind}", str(target), "--queue", "General", "--action",
                 "correspond"],
                b"",
                _production_env(),
            )  # fmt: skip
            wall = time.perf_counter() - t0
        out = (done.stdout + done.stderr).decode(errors="replace")
        _check(done.returncode == 0, f"mailgate --{kind}: {out[:300]}")
        row = Measurement(name=name, group="mail", n=len(messages))
        row.throughput = round(len(messages) / wall, 2) if wall else None
        row.extra.update(seconds=round(wall, 2), output=out.strip()[-300:])
        row.notes.append(
            f"{len(messages)} messages in {wall:.1f} s: {out.strip()[-120:]}"
        )
        rows.append(row)
    return rows


def mail_url(n: int) -> Measurement:
    """`manage.py mailgate --url`: the rt-mailgate path (a client posting to the server)."""

    def posted(i: int) -> None:
        done = _run_mailgate(
            ["--queue", "General", "--url", BASE], mails.new_ticket_mail(10_000 + i)
        )
        _check(
            done.returncode == 0 and b"delivered" in done.stdout,
            f"mailgate --url: {done.stdout!r} {done.stderr!r}",
        )

    samples, wall = time_calls(posted, n)
    return summarize(
        "mailgate --url, new ticket (process start included)", "mail", samples, wall
    )


def mail_http_post(n: int) -> Measurement:
    """The gateway endpoint alone, posted by a long-lived client (no process start)."""
    from mailgate.client import encode_multipart

    client = Client(BASE)

    def post(i: int) -> None:
        body, ctype = encode_multipart(
            {
                "queue": "General",
                "action": "correspond",
                "message": mails.new_ticket_mail(20_000 + i),
            }
        )
        answer = client.request(
            "POST", "/REST/1.0/NoAuth/mail-gateway", body, {"Content-Type": ctype}
        )
        _check(
            answer.status == 200 and answer.body.strip().startswith(b"ok"),
            f"gateway: {answer.body[:200]!r}",
        )

    samples, wall = time_calls(post, n)
    client.close()
    return summarize(
        "mail-gateway endpoint, new ticket (keep-alive client)", "mail", samples, wall
    )


def mail_lmtp(n: int) -> Measurement:
    """LMTP delivery to the running `mailgate_lmtp`, one connection, one message each."""
    lmtp = smtplib.LMTP("127.0.0.1", LMTP_PORT)

    def deliver(i: int) -> None:
        refused = lmtp.sendmail(
            f"sender{i % 50}@customers.example",
            ["general@bench.example"],
            mails.new_ticket_mail(30_000 + i),
        )
        _check(not refused, f"lmtp refused {refused}")

    samples, wall = time_calls(deliver, n)
    lmtp.quit()
    return summarize("LMTP delivery, new ticket (one session)", "mail", samples, wall)


def gateway_rss() -> Measurement:
    """Peak RSS of `manage.py mailgate` handling a 20 MB message."""
    message = mails.large_mail(20)
    proc = subprocess.Popen(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), "mailgate", "--queue", "General"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    t0 = time.perf_counter()
    proc.stdin.write(message)  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    out = proc.stdout.read()  # type: ignore[union-attr]
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    _check(proc.returncode == 0, f"20 MB mail: {out!r} {err!r}")
    row = summarize("mailgate pipe, 20 MB message", "memory", [elapsed])
    row.extra["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    row.extra["message_mb"] = round(len(message) / 1e6, 1)
    row.notes.append(
        f"peak RSS {row.extra['peak_rss_mb']} MB for a {row.extra['message_mb']} MB message"
    )
    return row


# ---------------------------------------------------------------- services layer


def services_create(fx: Fixture, n: int) -> Measurement:
    from tracker.services import create_ticket

    def create(i: int) -> None:
        create_ticket(
            queue=fx.queue,
            actor=fx.user,
            subject=f"Bench ticket {i}",
            body="The VPN concentrator drops sessions every ten minutes.",
            requestors=[f"requestor{i % 100}@customers.example"],
        )

    samples, wall = time_calls(create, n, warmup=3)
    return summarize(
        "create ticket (services layer, one process)", "services", samples, wall
    )


def services_reply(fx: Fixture, n: int) -> Measurement:
    from tracker.models import Ticket
    from tracker.services import correspond

    ticket = Ticket.objects.get(pk=fx.normal_ticket)

    def reply(i: int) -> None:
        correspond(
            ticket=Ticket.objects.get(pk=ticket.pk),
            actor=fx.user,
            body=f"Update {i}: still looking.",
        )

    samples, wall = time_calls(reply, n, warmup=3)
    return summarize(
        "reply to ticket (services layer, one process)", "services", samples, wall
    )


# ---------------------------------------------------------------- REST 2.0


def rest(fx: Fixture, n: int, search_query: str) -> list[Measurement]:
    rows = []
    auths = {
        "token": {"Authorization": f"token {fx.token}"},
        "basic": basic_auth(fx.user.username, fx.password),
    }
    for auth, headers in auths.items():
        client = Client(BASE, headers)
        # Basic auth costs a password hash a call (1-2 s under load); the median of a
        # few calls says as much.
        count = n if auth == "token" else max(3, n // 8)

        def create(i: int, client: Client = client) -> None:
            r = client.post_json(
                "/REST/2.0/ticket",
                {
                    "Queue": fx.queue.name,
                    "Subject": f"REST bench {i}",
                    "Content": "Disk almost full.",
                },
            )
            _check(r.status == 201, f"REST create {r.status} {r.body[:200]!r}")

        def reply(i: int, client: Client = client) -> None:
            r = client.post_json(
                f"/REST/2.0/ticket/{fx.normal_ticket}/correspond",
                {"Content": f"Reply {i}"},
            )
            _check(r.status == 201, f"REST correspond {r.status} {r.body[:200]!r}")

        def get(_: int, client: Client = client) -> None:
            r = client.get(f"/REST/2.0/ticket/{fx.normal_ticket}")
            _check(r.status == 200, f"REST get {r.status}")

        def get_long(_: int, client: Client = client) -> None:
            r = client.get(f"/REST/2.0/ticket/{fx.long_ticket}")
            _check(r.status == 200, f"REST get long {r.status}")

        def search(_: int, client: Client = client) -> None:
            r = client.get(
                "/REST/2.0/tickets?" + urllib.parse.urlencode({"query": search_query})
            )
            _check(r.status == 200, f"REST search {r.status} {r.body[:200]!r}")

        for label, fn in (
            ("create", create),
            ("reply", reply),
            ("get", get),
            (f"get {fx.long_length}-transaction ticket", get_long),
            ("search", search),
        ):
            samples, wall = time_calls(fn, count, warmup=2)
            rows.append(
                summarize(f"REST 2.0 {label} ({auth} auth)", "rest", samples, wall)
            )
        client.close()
    return rows


# ---------------------------------------------------------------- web pages


def web_pages(fx: Fixture, n: int, search_query: str) -> list[Measurement]:
    from django.conf import settings

    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={fx.session_cookie}"}
    client = Client(BASE, cookie)
    search_path = "/search/?" + urllib.parse.urlencode({"q": search_query})
    pages = [
        ("ticket page", f"/ticket/{fx.normal_ticket}/", n),
        (
            f"ticket page, {fx.long_length} transactions",
            f"/ticket/{fx.long_ticket}/",
            max(5, n // 2),
        ),
        ("home page (staff, 100 queues)", "/", n),
        ("search results page", search_path, n),
    ]
    rows = []
    for label, path, count in pages:

        def fetch(_: int, path: str = path) -> None:
            r = client.get(path)
            _check(r.status == 200, f"GET {path}: {r.status}")

        samples, wall = time_calls(fetch, count, warmup=2)
        rows.append(summarize(label, "web", samples, wall))
    client.close()
    return rows


def web_load(fx: Fixture, seconds: int, search_query: str) -> list[Measurement]:
    from django.conf import settings

    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={fx.session_cookie}"}
    rows = []
    for label, path in (
        ("ticket page", f"/ticket/{fx.normal_ticket}/"),
        (
            "search results page",
            "/search/?" + urllib.parse.urlencode({"q": search_query}),
        ),
    ):
        result = load(BASE + path, cookie, connections=4, seconds=seconds)
        row = Measurement(
            name=f"{label}, 4 connections", group="throughput", n=result.requests
        )
        row.throughput = result.requests_per_second
        row.median_ms = result.latency_ms
        row.extra.update(errors=result.errors, tool=result.tool)
        if result.errors:
            row.notes.append(f"{result.errors} errors")
        rows.append(row)
    return rows


def web_worker_rss(stack: Stack) -> Measurement:
    pids = stack.worker_pids("gunicorn")[1:]
    peaks = [peak_rss_kb(pid) or 0 for pid in pids]
    row = Measurement(
        name="gunicorn worker peak RSS after the web benchmarks", group="memory"
    )
    row.extra["peak_rss_mb"] = round(max(peaks, default=0) / 1024, 1)
    row.notes.append(f"largest of {len(pids)} workers: {row.extra['peak_rss_mb']} MB")
    return row


# ---------------------------------------------------------------- TicketSQL


def benchmark_queries(fx: Fixture) -> dict[str, str]:
    from tracker.models import CustomField

    cf = (
        CustomField.objects.filter(name__startswith="Incident Type")
        .order_by("-pk")
        .first()
    )
    customer = "cust" + str(fx.user.pk % 97 + 100)
    return {
        "queue + active": f"Queue = '{fx.queue.name}' AND Status = '__Active__'",
        "owner = me": "Owner = '__CurrentUser__'",
        "requestor email LIKE": f"Requestor.EmailAddress LIKE '{customer}'",
        "created in last 7 days": "Created > '7 days ago'",
        "custom field value": f"CF.{{{cf.name if cf else 'Incident Type'}}} = 'phishing'",
        "Content LIKE": f"Content LIKE '{_a_reference()}'",
        "5-clause mix": (
            f"Queue = '{fx.queue.name}' AND Status = '__Active__' AND Owner = '__CurrentUser__'"
            " AND Created > '2 years ago' AND Subject LIKE 'VPN'"
        ),
    }


def _a_reference() -> str:
    """A case reference quoted in some generated message (see bulk.text)."""
    from tracker.models import SearchDocument

    content = (
        SearchDocument.objects.filter(content__contains="reference is CASE")
        .values_list("content", flat=True)
        .first()
    )
    if content is None:
        return "packet loss"
    return content.rsplit("reference is ", 1)[1].rstrip(".")


def _plan(queryset: object) -> tuple[bool, list[str]]:
    plan = queryset.explain()  # type: ignore[attr-defined]
    seq = [
        t
        for t in BIG_TABLES
        if f"Seq Scan on {t} " in plan + " " or f"Seq Scan on {t}\n" in plan + "\n"
    ]
    return ("Index" in plan, seq)


def ticketsql(fx: Fixture, n: int) -> list[Measurement]:
    from tracker.ticketsql import search

    rows = []
    for label, query in benchmark_queries(fx).items():
        hits = {"count": 0}

        def run(_: int, query: str = query, hits: dict = hits) -> None:
            qs = search(fx.user, query, order_by="id", order="DESC")
            hits["count"] = qs.count()
            list(qs[:50])

        samples, wall = time_calls(run, n, warmup=1)
        row = summarize(f"TicketSQL: {label}", "ticketsql", samples, wall)
        page = search(fx.user, query, order_by="id", order="DESC")[:50]
        uses_index, seq = _plan(page)
        row.extra.update(
            query=query, matches=hits["count"], uses_index=uses_index, seq_scans=seq
        )
        if not uses_index or seq:
            row.notes.append(
                "plan: "
                + ("no index; " if not uses_index else "")
                + ", ".join(f"seq scan {t}" for t in seq)
            )
        rows.append(row)
    return rows


# ---------------------------------------------------------------- notifications


def notifications(
    fx: Fixture, stack: Stack, n: int, timeout: float = 60
) -> Measurement:
    """Tickets created with a requestor; a real Celery worker runs the scrips and sends
    the autoreplies and notifications to the aiosmtpd sink. The rate is what the sink
    received a second from the first create until none of these tickets' notifications
    is pending (or the timeout: a backlog is reported). The runner does this first, so
    no other benchmark's backlog is in the outbox."""
    from scrips.models import Notification
    from tracker.services import create_ticket

    assert stack.sink is not None
    before_sink = stack.sink.count
    t0 = time.perf_counter()
    first_ticket = None
    for i in range(n):
        ticket = create_ticket(
            queue=fx.queue,
            actor=fx.user,
            subject=f"Notify bench {i}",
            body="Please confirm the change window.",
            requestors=[f"notify{i}@customers.example"],
        )
        first_ticket = first_ticket or ticket.pk
    created = time.perf_counter() - t0

    def settled() -> bool:
        mine = Notification.objects.filter(ticket_id__gte=first_ticket)
        return mine.count() >= n and not mine.filter(status="pending").exists()

    _drain(settled, timeout)
    elapsed = time.perf_counter() - t0
    delivered = stack.sink.count - before_sink
    pending = Notification.objects.filter(
        ticket_id__gte=first_ticket, status="pending"
    ).count()
    failed = Notification.objects.filter(status="failed").count()
    row = Measurement(
        name="notifications delivered (worker + SMTP sink)",
        group="notifications",
        n=delivered,
    )
    row.throughput = round(delivered / elapsed, 2) if elapsed else None
    row.extra.update(
        tickets=n, delivered=delivered, pending_at_end=pending, failed=failed,
        seconds=round(elapsed, 2), create_seconds=round(created, 2),
    )  # fmt: skip
    row.notes.append(
        f"{delivered} mails received in {elapsed:.1f} s; {pending} still pending, {failed} failed"
    )
    return row


def _drain(done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.close()  # a fresh snapshot each poll
        if done():
            return
        time.sleep(0.2)
