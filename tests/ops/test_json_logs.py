"""LOG_FORMAT=json: one JSON object per log line, extras kept."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from tracker.ops.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


def test_json_formatter_writes_one_object_with_extras():
    record = logging.LogRecord(
        "tracker.mail",
        logging.WARNING,
        __file__,
        1,
        "queue %s full",
        ("General",),
        None,
    )
    record.ticket_id = 42
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tracker.mail"
    assert entry["message"] == "queue General full"
    assert entry["ticket_id"] == 42


def test_log_format_json_setting_switches_the_console_handler(tmp_path):
    env = dict(os.environ, LOG_FORMAT="json", TRACKER_VAR_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('tracker.probe').warning('hello', extra={'n': 1})"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello"
    assert line["n"] == 1
