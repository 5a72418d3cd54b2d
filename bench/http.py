"""A small keep-alive HTTP client and a 4-connection load generator (wrk when installed)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> object:
        return json.loads(self.body)


class Client:
    """One persistent connection to host:port, with default headers (auth, cookies)."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = dict(headers or {})
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=120
                )
            try:
                self._conn.request(
                    method, self.prefix + path, body=body, headers=all_headers
                )
                raw = self._conn.getresponse()
                data = raw.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
                continue
            if raw.getheader("Connection", "").lower() == "close":
                self.close()
            return Response(
                raw.status, data, {k.lower(): v for k, v in raw.getheaders()}
            )
        raise AssertionError("unreachable")

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_json(self, path: str, payload: object) -> Response:
        return self.request(
            "POST",
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        return self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def basic_auth(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@dataclass
class LoadResult:
    requests_per_second: float
    requests: int
    errors: int
    tool: str
    latency_ms: float | None = None


WRK = shutil.which("wrk")


def load(
    url: str, headers: dict[str, str], connections: int = 4, seconds: int = 10
) -> LoadResult:
    """Requests a second against `url` at `connections` concurrent keep-alive connections."""
    if WRK:
        return _wrk(url, headers, connections, seconds)
    return _threads(url, headers, connections, seconds)


def _wrk(
    url: str, headers: dict[str, str], connections: int, seconds: int
) -> LoadResult:
    args = [
        WRK,
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
    ]
    args += ["--timeout", "30s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run(  # noqa: S603 - fixed tool, our arguments
        [*args, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sock:
        errors += sum(int(g) for g in sock.groups())
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    latency = None
    if p50:
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
        latency = round(float(p50.group(1)) * scale, 2)
    return LoadResult(round(rps, 2), total, errors, "wrk", latency)


def _threads(
    url: str, headers: dict[str, str], connections: int, seconds: int
) -> LoadResult:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    base = f"{parts.scheme}://{parts.netloc}"
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def worker() -> None:
        client = Client(base, headers)
        while time.monotonic() < deadline:
            status = client.get(path).status
            with lock:
                counts["ok" if status < 400 else "bad"] += 1
        client.close()

    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    elapsed = time.monotonic() - started
    total = counts["ok"] + counts["bad"]
    return LoadResult(round(total / elapsed, 2), total, counts["bad"], "threads")
