"""gunicorn settings for production web processes:

    gunicorn tracker.wsgi -c python:tracker.ops.gunicorn_conf --bind 127.0.0.1:8000 --workers 3

Each gunicorn worker is a process with its own Prometheus registry, so /metrics would
show the request latency of whichever worker answered the scrape. This file turns on
prometheus_client's multiprocess mode: every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (default <TRACKER_VAR_DIR>/prometheus) and /metrics merges them.
The directory is emptied when gunicorn starts, since files from an earlier run would add
old counts, and a worker's files are marked dead when it exits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parents[2]

# The same .env the settings read, so TRACKER_VAR_DIR and PROMETHEUS_MULTIPROC_DIR set
# there apply; the variable must be in the environment before a worker imports
# prometheus_client, which picks its storage mode at import.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(os.environ.get("TRACKER_VAR_DIR", BASE_DIR / "var")) / "prometheus"),
)


def on_starting(server: Any) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files: the directory may be one the operator chose.
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
