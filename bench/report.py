"""The run's JSON file and Markdown table, ours beside RT's where RT was measured."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.stats import Measurement

# Our row -> (RT's row, the factor the issue asks for, what is compared).
# "latency": RT median / our median must be >= factor; "rate": our rate / RT's rate;
# "absolute": our rate / the factor (no RT row: a rate the issue names outright).
RT_MAILGATE = ("mail", "rt-mailgate, new ticket (process start included)")
BATCH_TARGET = 50  # issue 7: batch ingestion at 50x rt-mailgate's messages a second
TARGETS: dict[tuple[str, str], tuple[tuple[str, str] | None, float, str]] = {
    ("loader", "generate_data, tickets a second"): (None, 20_000, "absolute"),
    **{
        ("mail", f"mailgate --{kind}, {what} (batch, one process)"): (
            RT_MAILGATE,
            BATCH_TARGET,
            "rate",
        )
        for kind in ("maildir", "mbox")
        for what in ("new tickets", "replies")
    },
    ("mail", "mailgate pipe, end to end (piped one by one, until processed)"): (
        RT_MAILGATE,
        1,
        "rate",
    ),
    ("mail", "mailgate pipe, new ticket (process start included)"): (
        ("mail", "rt-mailgate, new ticket (process start included)"),
        1,
        "latency",
    ),
    ("mail", "mailgate --url, new ticket (process start included)"): (
        ("mail", "rt-mailgate, new ticket (process start included)"),
        3,
        "latency",
    ),
    ("mail", "LMTP delivery, new ticket (one session)"): (
        ("mail", "rt-mailgate, new ticket (process start included)"),
        10,
        "rate",
    ),
    ("mail", "mail-gateway endpoint, new ticket (keep-alive client)"): (
        ("mail", "rt-mailgate, new ticket (process start included)"),
        1,
        "rate",
    ),
    ("services", "create ticket (services layer, one process)"): (
        ("rest", "REST 2.0 create (basic auth)"),
        30,
        "rate",
    ),
    ("rest", "REST 2.0 create (token auth)"): (
        ("rest", "REST 2.0 create (token auth)"),
        10,
        "latency",
    ),
    ("rest", "REST 2.0 get (token auth)"): (
        ("rest", "REST 2.0 get (token auth)"),
        10,
        "latency",
    ),
    ("rest", "REST 2.0 search (token auth)"): (
        ("rest", "REST 2.0 search (token auth)"),
        10,
        "latency",
    ),
    ("rest", "REST 2.0 reply (token auth)"): (
        ("rest", "REST 2.0 reply (token auth)"),
        10,
        "latency",
    ),
    ("rest", "REST 2.0 create (basic auth)"): (
        ("rest", "REST 2.0 create (basic auth)"),
        1,
        "latency",
    ),
    ("rest", "REST 2.0 get (basic auth)"): (
        ("rest", "REST 2.0 get (basic auth)"),
        1,
        "latency",
    ),
    ("rest", "REST 2.0 search (basic auth)"): (
        ("rest", "REST 2.0 search (basic auth)"),
        1,
        "latency",
    ),
    ("rest", "REST 2.0 reply (basic auth)"): (
        ("rest", "REST 2.0 reply (basic auth)"),
        1,
        "latency",
    ),
    ("web", "ticket page"): (("web", "ticket page"), 10, "latency"),
    ("web", "home page (staff, 100 queues)"): (
        ("web", "home page (staff, 100 queues)"),
        10,
        "latency",
    ),
    ("web", "search results page"): (("web", "search results page"), 10, "latency"),
    ("throughput", "ticket page, 4 connections"): (
        ("throughput", "ticket page, 4 connections"),
        10,
        "rate",
    ),
    ("throughput", "search results page, 4 connections"): (
        ("throughput", "search results page, 4 connections"),
        10,
        "rate",
    ),
}


def machine() -> dict[str, Any]:
    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - fixed commands
                cmd, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    pg = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": pg,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def compare(ours: list[Measurement], rt: list[Measurement]) -> list[dict[str, Any]]:
    theirs = {(m.group, m.name): m for m in rt}
    rows = []
    for m in ours:
        target = TARGETS.get((m.group, m.name))
        if not target:
            continue
        wanted, factor, kind = target
        if kind == "absolute":
            if m.throughput:
                rows.append(
                    {"group": m.group, "name": m.name, "rt_name": "(the issue's figure)",
                     "kind": "rate", "ours": m.throughput, "rt": factor,
                     "ratio": round(m.throughput / factor, 3), "target": 1,
                     "met": m.throughput >= factor}
                )  # fmt: skip
            continue
        other = theirs.get(wanted) if wanted else None
        if other is None:
            continue
        if kind == "latency" and m.median_ms and other.median_ms:
            ratio = other.median_ms / m.median_ms
        elif kind == "rate" and m.throughput and other.throughput:
            ratio = m.throughput / other.throughput
        else:
            continue
        rows.append(
            {"group": m.group, "name": m.name, "rt_name": other.name, "kind": kind,
             "ours": m.median_ms if kind == "latency" else m.throughput,
             "rt": other.median_ms if kind == "latency" else other.throughput,
             "ratio": round(ratio, 2), "target": factor, "met": ratio >= factor}
        )  # fmt: skip
    return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def markdown(
    meta: dict[str, Any],
    ours: list[Measurement],
    rt: list[Measurement],
    versus: list[dict[str, Any]],
) -> str:
    m = meta["machine"]
    out = [
        f"## Run {meta['started']} — scale `{meta['scale']}`",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, kernel {m['kernel']}. Load average at start {meta['load_start']}, at end {m['load_average']}.",
        "",
        f"Data set: {meta['data']}",
        "",
        "| group | benchmark | n | median ms | p90 ms | p99 ms | per second | notes |",
        "|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for r in ours:
        out.append(
            f"| {r.group} | {r.name} | {r.n} | {_fmt(r.median_ms)} | {_fmt(r.p90_ms)} | {_fmt(r.p99_ms)} "
            f"| {_fmt(r.throughput)} | {'; '.join(r.notes)} |"
        )
    if rt:
        out += ["", "RT 5 in the same run:", "",
                "| group | benchmark | n | median ms | p90 ms | p99 ms | per second | notes |",
                "|---|---|--:|--:|--:|--:|--:|---|"]  # fmt: skip
        for r in rt:
            out.append(
                f"| {r.group} | {r.name} | {r.n} | {_fmt(r.median_ms)} | {_fmt(r.p90_ms)} | {_fmt(r.p99_ms)} "
                f"| {_fmt(r.throughput)} | {'; '.join(r.notes)} |"
            )
    if meta.get("timings"):
        out += ["", f"Time per step (a series stops after {meta.get('budget_s')} s once it has 5 samples):", "",
                "| step | seconds |", "|---|--:|"]  # fmt: skip
        out += [f"| {label} | {seconds:,.1f} |" for label, seconds in meta["timings"]]
        out.append(f"| whole run | {meta.get('seconds', 0):,.1f} |")
    if versus:
        out += ["", "Side by side (latency rows compare medians in ms, rate rows operations a second):", "",
                "| ours | RT's | compared | ours | RT | ratio | target | met |",
                "|---|---|---|--:|--:|--:|--:|---|"]  # fmt: skip
        for v in versus:
            out.append(
                f"| {v['name']} | {v['rt_name']} | {v['kind']} | {_fmt(v['ours'])} | {_fmt(v['rt'])} "
                f"| {v['ratio']}x | {v['target']}x | {'yes' if v['met'] else 'NO'} |"
            )
    return "\n".join(out) + "\n"


def write(
    directory: Path,
    stamp: str,
    meta: dict[str, Any],
    ours: list[Measurement],
    rt: list[Measurement],
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    versus = compare(ours, rt)
    data = {
        **meta,
        "ours": [r.as_dict() for r in ours],
        "rt": [r.as_dict() for r in rt],
        "versus": versus,
    }
    json_path = directory / f"{stamp}.json"
    json_path.write_text(json.dumps(data, indent=2, default=str))
    md_path = directory / f"{stamp}.md"
    md_path.write_text(markdown(meta, ours, rt, versus))
    return json_path, md_path
