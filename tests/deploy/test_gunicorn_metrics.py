"""/metrics under gunicorn with several workers (tracker/ops/gunicorn_conf.py): the
request latency histogram adds up the requests of every worker, not just the one that
answered the scrape.

gunicorn's workers share the test database, so this runs on PostgreSQL only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from tests.database_url import current_database_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web_env(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: gunicorn's workers share one database.")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL="",
        TRACKER_VAR_DIR=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name in ("DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    return env


def _gunicorn(env: dict, log: Path, workers: int = 3) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi",
            "-c",
            "python:tracker.ops.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                return process, base
        except OSError:
            time.sleep(0.3)
    _stop(process)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _healthz_count(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name.endswith("_count")
                and sample.labels.get("view") == "healthz"
            ):
                total += sample.value
    return total


def _worker_pids(tmp_path: Path) -> set[str]:
    return {p.stem.rsplit("_", 1)[-1] for p in (tmp_path / "prometheus").glob("*.db")}


def test_metrics_add_up_requests_answered_by_every_worker(web_env, tmp_path):
    process, base = _gunicorn(web_env, tmp_path / "web.log")
    try:
        before = _healthz_count(base)

        def probe(_: int) -> None:
            with urllib.request.urlopen(f"{base}/healthz", timeout=30):  # noqa: S310
                pass

        # Eight at a time on new connections: one sync worker answers one request at
        # a time, so the others take their share whatever the machine's load.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(probe, range(40)))
        answered_by = _worker_pids(tmp_path)
        after = _healthz_count(base)
    finally:
        _stop(process)
    assert len(answered_by) >= 2, "the requests all went to one worker"
    assert after - before == 40


def test_files_of_an_earlier_run_are_wiped_at_start(web_env, tmp_path):
    stale = tmp_path / "prometheus"
    stale.mkdir()
    (stale / "histogram_999999.db").write_bytes(b"not a metrics file")
    process, base = _gunicorn(web_env, tmp_path / "web.log", workers=1)
    try:
        count = _healthz_count(base)
    finally:
        _stop(process)
    assert count >= 1
    assert not (stale / "histogram_999999.db").exists()
