"""Helpers for the reliability tests: PostgreSQL only, real threads, real connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (set DATABASE_URL)")


def run_at_once(jobs: list[Callable[[], Any]], timeout: float = 120) -> list[Any]:
    """Run each job in its own thread, all released together; results (or the
    exception each raised) in job order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - reported to the test, not swallowed
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=runner, args=(i, job), daemon=True)
        for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a job hung (deadlock?)"
    return results
