"""The same operations against RT 5 (shared/anchors/rt5: RT's own server on :8080)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

from bench import mails
from bench.http import Client, basic_auth, load
from bench.stats import Measurement, summarize, time_calls

RT_URL = os.environ.get("BENCH_RT_URL", "http://127.0.0.1:8080")
RT_USER, RT_PASSWORD = "root", "password"
ANCHOR = Path(os.environ.get("BENCH_RT_ANCHOR", "/work/shared/anchors/rt5"))
RT_QUERY = "Queue = 'General' AND Status = '__Active__'"


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"RT operation failed: {what}")


def available() -> bool:
    try:
        return Client(RT_URL).get("/NoAuth/Login.html").status == 200
    except OSError:
        return False


def session_cookie() -> str:
    r = Client(RT_URL).post_form(
        "/NoAuth/Login.html", {"user": RT_USER, "pass": RT_PASSWORD}
    )
    match = re.search(r"(RT_SID_[^=]+=[0-9a-f]+)", r.headers.get("set-cookie", ""))
    _check(match is not None, "login")
    return match.group(1)  # type: ignore[union-attr]


def token() -> str | None:
    script = ANCHOR / "lib" / "make-token.pl"
    if not script.exists():
        return None
    done = subprocess.run(  # noqa: S603 - the anchor script
        [shutil.which("perl") or "/usr/bin/perl", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def mailgate(n: int) -> Measurement:
    def piped(i: int) -> None:
        done = subprocess.run(  # noqa: S603 - RT's own client
            [  # noqa: S607 - RT client on PATH
                "rt-mailgate",
                "--queue",
                "General",
                "--action",
                "correspond",
                "--url",
                RT_URL,
            ],
            input=mails.new_ticket_mail(40_000 + i, to="rt@rt5.local"),
            capture_output=True,
            check=False,
        )
        _check(
            done.returncode == 0,
            f"rt-mailgate exit {done.returncode}: {done.stderr[-300:]!r}",
        )

    samples, wall = time_calls(piped, n)
    return summarize(
        "rt-mailgate, new ticket (process start included)", "mail", samples, wall
    )


def rest(n: int) -> list[Measurement]:
    rows = []
    auths: dict[str, dict[str, str]] = {"basic": basic_auth(RT_USER, RT_PASSWORD)}
    secret = token()
    if secret:
        auths = {"token": {"Authorization": f"token {secret}"}, **auths}
    created: list[int] = []
    for auth, headers in auths.items():
        client = Client(RT_URL, headers)

        def create(i: int, client: Client = client) -> None:
            r = client.post_json(
                "/REST/2.0/ticket",
                {
                    "Queue": "General",
                    "Subject": f"REST bench {i}",
                    "Content": "Disk almost full.",
                },
            )
            _check(r.status == 201, f"RT REST create {r.status} {r.body[:200]!r}")
            created.append(int(r.json()["id"]))  # type: ignore[index]

        def reply(i: int, client: Client = client) -> None:
            r = client.post_json(
                f"/REST/2.0/ticket/{created[0]}/correspond",
                {"Content": f"Reply {i}", "ContentType": "text/plain"},
            )
            _check(r.status == 201, f"RT REST correspond {r.status} {r.body[:200]!r}")

        def get(_: int, client: Client = client) -> None:
            r = client.get(f"/REST/2.0/ticket/{created[0]}")
            _check(r.status == 200, f"RT REST get {r.status}")

        def search(_: int, client: Client = client) -> None:
            r = client.get(
                "/REST/2.0/tickets?" + urllib.parse.urlencode({"query": RT_QUERY})
            )
            _check(r.status == 200, f"RT REST search {r.status}")

        for label, fn in (
            ("create", create),
            ("reply", reply),
            ("get", get),
            ("search", search),
        ):
            samples, wall = time_calls(fn, n, warmup=1)
            rows.append(
                summarize(f"REST 2.0 {label} ({auth} auth)", "rest", samples, wall)
            )
        client.close()
    return rows


def web(n: int, seconds: int, ticket_id: int) -> list[Measurement]:
    headers = {"Cookie": session_cookie()}
    client = Client(RT_URL, headers)
    search_path = "/Search/Results.html?" + urllib.parse.urlencode({"Query": RT_QUERY})
    rows = []
    for label, path in (
        ("ticket page", f"/Ticket/Display.html?id={ticket_id}"),
        ("home page (staff, 100 queues)", "/"),
        ("search results page", search_path),
    ):

        def fetch(_: int, path: str = path) -> None:
            r = client.get(path)
            _check(r.status == 200, f"RT GET {path}: {r.status}")

        samples, wall = time_calls(fetch, n, warmup=1)
        rows.append(summarize(label, "web", samples, wall))
    client.close()
    for label, path in (
        ("ticket page", f"/Ticket/Display.html?id={ticket_id}"),
        ("search results page", search_path),
    ):
        result = load(RT_URL + path, headers, connections=4, seconds=seconds)
        row = Measurement(
            name=f"{label}, 4 connections", group="throughput", n=result.requests
        )
        row.throughput = result.requests_per_second
        row.median_ms = result.latency_ms
        row.extra.update(errors=result.errors, tool=result.tool)
        rows.append(row)
    return rows


def a_ticket() -> int:
    """A ticket with a little history for the page benchmarks."""
    client = Client(RT_URL, basic_auth(RT_USER, RT_PASSWORD))
    r = client.post_json(
        "/REST/2.0/ticket",
        {"Queue": "General", "Subject": "Page bench", "Content": "First message."},
    )
    _check(r.status == 201, f"RT create {r.status}")
    ticket_id = int(r.json()["id"])  # type: ignore[index]
    for i in range(8):
        client.post_json(
            f"/REST/2.0/ticket/{ticket_id}/correspond",
            {"Content": f"Message {i}", "ContentType": "text/plain"},
        )
    client.close()
    return ticket_id
