"""`python -m bench [--scale small] [--rt]`; `make bench` with BENCH_SCALE and BENCH_RT.

Order: recreate the bench database, generate the data set, start the processes, run our
benchmarks, then RT's (with --rt), write the report, stop what was started.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.stack import (
    ROOT,
    Stack,
    apply_environment,
    collect_static,
    flush_redis,
    recreate_database,
)
from bench.stats import Measurement

# How many operations each benchmark runs, per scale; searches and pages are repeated
# the same number of times at every scale so that only the data grows. A series also
# stops once it has run BUDGET_S seconds (and has 5 samples; bench.stats).
COUNTS = {
    "tiny": {
        "pipe": 4,
        "url": 4,
        "post": 10,
        "lmtp": 10,
        "services": 20,
        "rest": 10,
        "web": 10,
        "sql": 5,
        "load": 3,
        "notify": 10,
        "batch": 20,
        "rt": 3,
    },
    "small": {
        "pipe": 10,
        "url": 10,
        "post": 50,
        "lmtp": 50,
        "services": 100,
        "rest": 40,
        "web": 30,
        "sql": 10,
        "load": 10,
        "notify": 50,
        "batch": 100,
        "rt": 10,
    },
    "medium": {
        "pipe": 10,
        "url": 10,
        "post": 50,
        "lmtp": 50,
        "services": 100,
        "rest": 40,
        "web": 30,
        "sql": 10,
        "load": 10,
        "notify": 50,
        "batch": 200,
        "rt": 10,
    },
    "large": {
        "pipe": 10,
        "url": 10,
        "post": 50,
        "lmtp": 50,
        "services": 100,
        "rest": 40,
        "web": 30,
        "sql": 10,
        "load": 10,
        "notify": 50,
        "batch": 200,
        "rt": 10,
    },
}


BUDGET_S = {"tiny": 10.0, "small": 30.0, "medium": 30.0, "large": 30.0}


def log(message: str) -> None:
    sys.stderr.write(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale", default=os.environ.get("BENCH_SCALE", "small"), choices=list(COUNTS)
    )
    parser.add_argument(
        "--rt",
        action="store_true",
        default=os.environ.get("BENCH_RT", "") not in ("", "0"),
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--reuse-data", action="store_true", help="Keep the bench database as it is."
    )
    args = parser.parse_args(argv)
    counts = COUNTS[args.scale]
    started = datetime.now(UTC)
    load_start = [round(x, 2) for x in os.getloadavg()]
    apply_environment()
    timings: list[tuple[str, float]] = []

    def timed(label: str, step: Callable[[], object]) -> object:
        t0 = time.monotonic()
        try:
            return step()
        finally:
            timings.append((label, round(time.monotonic() - t0, 1)))

    if not args.reuse_data:
        log("recreating the bench database, migrating")
        timed("database: create (migrated template)", recreate_database)
        timed("static files: collectstatic", collect_static)
    import django

    django.setup()
    from bench import dataset, report, rt, scenarios, stats

    stats.BUDGET_S = BUDGET_S[args.scale]
    data_note = "reused"
    ours: list = []
    theirs: list = []
    if not args.reuse_data:
        log(f"generating the {args.scale} data set")
        t0 = time.monotonic()
        result = timed(
            "data set: generate_data", lambda: dataset.build(args.scale, _progress)
        )
        sys.stderr.write("\n")
        data_note = (
            f"{result.tickets:,} tickets, {result.transactions:,} transactions, {result.attachments:,} attachments "
            f"generated in {result.seconds:.1f} s ({result.tickets_per_second:,.0f} tickets/s; "
            f"{time.monotonic() - t0:.1f} s with the commit)"
        )
        log(data_note)
        ours.append(scenarios.loader_row(result))
    flush_redis()
    fx = timed("fixture", dataset.fixture)
    search_query = f"Queue = '{fx.queue.name}' AND Status = '__Active__'"
    stack = Stack()
    try:
        log("starting gunicorn, celery worker, LMTP listener and the SMTP sink")
        timed("processes: start", stack.start)
        steps = [
            # First, while the outbox is empty: its rate is then the worker's own.
            (
                "notifications",
                lambda: [scenarios.notifications(fx, stack, counts["notify"])],
            ),
            ("TicketSQL searches", lambda: scenarios.ticketsql(fx, counts["sql"])),
            ("web pages", lambda: scenarios.web_pages(fx, counts["web"], search_query)),
            ("REST 2.0", lambda: scenarios.rest(fx, counts["rest"], search_query)),
            (
                "page throughput",
                lambda: scenarios.web_load(fx, counts["load"], search_query),
            ),
            ("web worker memory", lambda: [scenarios.web_worker_rss(stack)]),
            (
                "services layer",
                lambda: [
                    scenarios.services_create(fx, counts["services"]),
                    scenarios.services_reply(fx, counts["services"]),
                ],
            ),
            ("mail: pipe", lambda: scenarios.mail_pipe(counts["pipe"])),
            ("mail: --url", lambda: [scenarios.mail_url(counts["url"])]),
            (
                "mail: gateway endpoint",
                lambda: [scenarios.mail_http_post(counts["post"])],
            ),
            ("mail: LMTP", lambda: [scenarios.mail_lmtp(counts["lmtp"])]),
            (
                "mail: batch (maildir, mbox)",
                lambda: scenarios.mail_batch(counts["batch"]),
            ),
            ("mail: 20 MB message", lambda: [scenarios.gateway_rss()]),
        ]
        for label, step in steps:
            log(label)
            ours += timed(label, lambda label=label, step=step: _guarded(label, step))
        if args.rt:
            if rt.available():
                log("RT 5: rt-mailgate, REST 2.0, pages")
                t0 = time.monotonic()
                theirs += _guarded(
                    "RT rt-mailgate", lambda: [rt.mailgate(counts["rt"])]
                )
                theirs += _guarded("RT REST 2.0", lambda: rt.rest(counts["rt"]))
                theirs += _guarded(
                    "RT pages",
                    lambda: rt.web(counts["rt"], counts["load"], rt.a_ticket()),
                )
                timings.append(("RT 5", round(time.monotonic() - t0, 1)))
            else:
                log(
                    f"RT 5 is not answering on {rt.RT_URL}: skipped (run shared/anchors/rt5/setup.sh)"
                )
    finally:
        timed("processes: stop", stack.stop)
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "scale": args.scale,
        "data": data_note,
        "load_start": load_start,
        "machine": report.machine(),
        "fixture": {"normal_ticket": fx.normal_ticket, "long_ticket": fx.long_ticket, "long_length": fx.long_length,
                    "queue": fx.queue.name, "user": fx.user.username},
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "timings": timings,
        "budget_s": BUDGET_S[args.scale],
    }  # fmt: skip
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    json_path, md_path = report.write(args.out, stamp, meta, ours, theirs)
    sys.stdout.write(md_path.read_text())
    log(f"wrote {json_path} and {md_path} in {meta['seconds']} s")
    return 0


def _guarded(label: str, step: Callable[[], list[Measurement]]) -> list[Measurement]:
    """A failing benchmark is reported as a row with its error; the others still run."""
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 - one scenario must not end the run
        log(f"{label} FAILED: {exc}")
        return [
            Measurement(
                name=label,
                group="failed",
                notes=[f"failed: {' '.join(str(exc).split())[:300]}"],
            )
        ]


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r  {done:,}/{total:,} tickets")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
