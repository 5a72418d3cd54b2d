"""A Celery beat scheduler that reads its schedule from `PeriodicJob` rows, so the
schedules are edited in the admin: `celery -A tracker beat -S scrips.beat:DatabaseScheduler`
(CELERY_BEAT_SCHEDULER names it by default). Rows are re-read every RELOAD_SECONDS;
each run's time is written back, so a restarted beat does not run a job twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery.beat import ScheduleEntry, Scheduler
from celery.schedules import BaseSchedule, crontab, schedule
from django.db import close_old_connections, connection

from scrips.models import PeriodicJob

RELOAD_SECONDS = 30


def job_schedule(
    job: PeriodicJob, nowfun: Callable[[], datetime] | None = None
) -> BaseSchedule:
    """The job's interval (every N minutes) or crontab."""
    if job.every_minutes:
        return schedule(timedelta(minutes=job.every_minutes), nowfun=nowfun)
    return crontab(
        minute=job.crontab_minute or "0",
        hour=job.crontab_hour or "*",
        day_of_week=job.crontab_day_of_week or "*",
        nowfun=nowfun,
    )


def load_entries(app: Any) -> dict[str, ScheduleEntry]:
    """One beat entry per enabled job."""
    return {
        job.name: ScheduleEntry(
            name=job.name,
            task=job.task,
            schedule=job_schedule(job),
            kwargs=dict(job.kwargs or {}),
            last_run_at=job.last_run_at,
            app=app,
        )
        for job in PeriodicJob.objects.filter(is_enabled=True)
    }


def configured_entries(app: Any) -> dict[str, ScheduleEntry]:
    """Entries other apps add to Celery's own `beat_schedule` (mailbox polling, say):
    kept beside the rows, so a job does not need a row to run. A row of the same name
    wins."""
    return {
        name: ScheduleEntry(**dict(spec, name=name, app=app))
        for name, spec in (app.conf.beat_schedule or {}).items()
    }


def _fresh_connection() -> None:
    """Beat is a long-lived process: drop a connection the database closed or that
    outlived CONN_MAX_AGE (never one an enclosing atomic block still uses)."""
    if not connection.in_atomic_block:
        close_old_connections()


class DatabaseScheduler(Scheduler):
    """Celery beat's scheduler over the PeriodicJob table."""

    sync_every = 10

    def setup_schedule(self) -> None:
        self._entries: dict[str, ScheduleEntry] = {}
        self._loaded_at = 0.0

    @property
    def schedule(self) -> dict[str, ScheduleEntry]:
        if time.monotonic() - self._loaded_at > RELOAD_SECONDS:
            _fresh_connection()
            fresh = {**configured_entries(self.app), **load_entries(self.app)}
            for name, entry in fresh.items():
                known = self._entries.get(name)
                if (
                    known is not None
                    and known.last_run_at
                    and (
                        entry.last_run_at is None
                        or known.last_run_at > entry.last_run_at
                    )
                ):
                    entry.last_run_at = known.last_run_at
                    entry.total_run_count = known.total_run_count
            self._entries = fresh
            self._loaded_at = time.monotonic()
        return self._entries

    def sync(self) -> None:
        _fresh_connection()
        for name, entry in self._entries.items():
            if entry.last_run_at:
                PeriodicJob.objects.filter(name=name).update(
                    last_run_at=entry.last_run_at
                )
