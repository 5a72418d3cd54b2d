"""The Celery application; workers run `celery -A tracker worker`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The mail gateway's mailbox polling; each mailbox keeps its own interval on top.
# Added once the settings are read, so that a CELERY_BEAT_SCHEDULE there is kept.
@app.on_after_configure.connect
def _add_mail_polling(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule.setdefault(
        "mailgate-poll-mailboxes",
        {"task": "mailgate.tasks.poll_mailboxes_task", "schedule": 60.0},
    )
    # Messages the spool path stored whose wake-up was lost (mailgate.fastpath).
    sender.conf.beat_schedule.setdefault(
        "mailgate-drain-spool",
        {"task": "mailgate.tasks.drain_spool_task", "schedule": 60.0},
    )
