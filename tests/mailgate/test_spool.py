"""The lean paths of `manage.py mailgate` (mailgate/fastpath.py): the `--url` client and
the spool path, which store the raw message without starting Django and leave the rest
to a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from mailgate.fastpath import SPOOL_COLUMNS, read_dotenv, spool_target
from mailgate.models import InboundEmail
from tests.celery_worker import Worker
from tests.mailgate.conftest import ROOT, gateway_env, run_manage
from tests.mailgate.mailbuilders import make_mail

REDIS_URL = os.environ.get("MAILGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
DOWN_DB = "postgres://nobody@127.0.0.1:9/none"

# Runs manage.py as the MTA does and prints, at exit, the heavy packages it imported.
PROBE = (
    "import atexit, runpy, sys\n"
    "sys.argv = ['manage.py', *sys.argv[1:]]\n"
    "heavy = lambda: sorted({m.split('.')[0] for m in sys.modules} & "
    "{'django', 'celery', 'kombu', 'tracker', 'queues'})\n"
    "atexit.register(lambda: print('IMPORTED', heavy(), file=sys.stderr))\n"
    "runpy.run_path('manage.py', run_name='__main__')\n"
)


def probe(args, env, stdin=b""):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "-c", PROBE, *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture
def broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def spool_env(gateway_db, broker_url):
    return {**gateway_db.env, "CELERY_BROKER_URL": broker_url}


def drain(env):
    """beat's drain_spool_task, run in a process of its own against the gateway DB."""
    result = run_manage(
        [
            "shell",
            "-c",
            "from mailgate.services import drain_spool; print(drain_spool())",
        ],
        env=env,
    )
    assert result.returncode == 0, result.stderr.decode()
    return int(result.stdout.decode().split()[-1])


def test_spool_insert_names_every_column_of_the_model():
    columns = {
        field.column
        for field in InboundEmail._meta.concrete_fields
        if not field.primary_key
    }
    assert set(SPOOL_COLUMNS) == columns
    assert len(SPOOL_COLUMNS) == len(columns)


def test_url_client_imports_no_django(tmp_path):
    env = gateway_env(DOWN_DB, tmp_path)
    result = probe(["mailgate", "--url", "http://127.0.0.1:9"], env, make_mail())
    assert result.returncode == 75
    lines = result.stderr.decode().strip().splitlines()
    assert lines[0].startswith("4.3.0 cannot reach")
    assert lines[-1] == "IMPORTED []"


def test_spool_path_imports_no_django_and_exits_75_when_the_database_is_down(
    tmp_path,
):
    env = {**gateway_env(DOWN_DB, tmp_path), "CELERY_BROKER_URL": REDIS_URL}
    result = probe(["mailgate", "--queue", "General"], env, make_mail())
    assert result.returncode == 75
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("4.3.0 temporary failure")
    assert lines[-1] == "IMPORTED []"


def test_without_a_broker_the_django_path_runs():
    if "CELERY_BROKER_URL" in read_dotenv(ROOT / ".env"):
        pytest.skip("this checkout's .env configures a broker")
    assert spool_target({"DATABASE_URL": "postgres://u@h/db"}) is None


def test_spool_can_be_switched_off():
    env = {"CELERY_BROKER_URL": REDIS_URL, "DATABASE_URL": "postgres://u@h/db"}
    assert spool_target(env) is not None
    assert spool_target({**env, "MAILGATE_SPOOL": "off"}) is None
    assert spool_target({**env, "DJANGO_SETTINGS_MODULE": "other.settings"}) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestSpool:
    def test_spooled_message_is_stored_then_drained_into_a_ticket(
        self, gateway_db, broker
    ):
        env = spool_env(gateway_db, broker)
        result = gateway_db.pipe(make_mail(), "--queue", "general", extra_env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().strip().endswith("(received)")
        assert gateway_db.query("SELECT status FROM mailgate_inboundemail") == [
            ("received",)
        ]
        assert drain(env) == 1
        assert gateway_db.query(
            "SELECT status, message_id FROM mailgate_inboundemail"
        ) == [("processed", "<m1@customer.example>")]
        assert gateway_db.query("SELECT subject FROM tracker_ticket") == [
            ("Printer on fire",)
        ]

    def test_spooled_redelivery_makes_one_ticket_and_a_rerun_applies_nothing(
        self, gateway_db, broker
    ):
        env = spool_env(gateway_db, broker)
        for _ in range(2):
            assert gateway_db.pipe(make_mail(), extra_env=env).returncode == 0
        assert drain(env) == 2
        assert drain(env) == 0
        rows = gateway_db.query("SELECT status FROM mailgate_inboundemail ORDER BY id")
        assert rows == [("processed",), ("duplicate",)]
        assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]

    def test_spool_refuses_an_unknown_queue_with_67(self, gateway_db, broker):
        env = spool_env(gateway_db, broker)
        result = gateway_db.pipe(make_mail(), "--queue", "Nope", extra_env=env)
        assert result.returncode == 67
        assert result.stderr.decode().strip() == "5.1.1 Unknown queue 'Nope'"
        assert gateway_db.query("SELECT count(*) FROM mailgate_inboundemail") == [(0,)]

    def test_spool_exits_75_for_an_invalid_action(self, gateway_db, broker):
        env = spool_env(gateway_db, broker)
        result = gateway_db.pipe(make_mail(), "--action", "frob", extra_env=env)
        assert result.returncode == 75
        assert result.stderr.decode().startswith("4.3.5")

    def test_spool_still_exits_0_when_the_broker_is_down(self, gateway_db):
        env = spool_env(gateway_db, "redis://127.0.0.1:9/0")
        # The settings make the broker's Redis the cache too; keep the cache up.
        env["CACHE_URL"] = "locmemcache://mailgate-spool"
        result = gateway_db.pipe(make_mail(), extra_env=env)
        assert result.returncode == 0, result.stderr
        assert "worker not woken" in result.stdout.decode()
        assert drain(env) == 1
        assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


@pytest.fixture
def spool_worker(gateway_db, broker, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: the worker process shares the test database.")
    env = {
        **spool_env(gateway_db, broker),
        "CACHE_URL": "locmemcache://mailgate-spool",
        "EMAIL_URL": "consolemail://",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = Worker(env, tmp_path / "worker.log")
    worker.start()
    yield env, worker
    worker.stop()


def wait_for(gateway_db, sql, expected, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = gateway_db.query(sql)
        if rows == expected:
            return rows
        time.sleep(0.2)
    return gateway_db.query(sql)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_spooled_message_is_applied_by_a_real_celery_worker(gateway_db, spool_worker):
    env, worker = spool_worker
    result = gateway_db.pipe(make_mail(), "--queue", "General", extra_env=env)
    assert result.returncode == 0, result.stderr
    rows = wait_for(
        gateway_db,
        "SELECT status FROM mailgate_inboundemail",
        [("processed",)],
    )
    assert rows == [("processed",)], worker.log.read_text()
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]
    assert "process_inbound_task" in worker.log.read_text()
