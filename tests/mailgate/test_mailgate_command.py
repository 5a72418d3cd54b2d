"""The real `manage.py mailgate` in a subprocess: the exit status is the MTA contract."""

import pytest

from tests.mailgate.mailbuilders import make_mail

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_piped_message_exits_0_and_makes_a_ticket(gateway_db):
    result = gateway_db.pipe(make_mail(), "--queue", "General")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("2.0.0 stored")
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


def test_redelivered_message_makes_one_ticket(gateway_db):
    raw = make_mail()
    assert gateway_db.pipe(raw).returncode == 0
    second = gateway_db.pipe(raw)
    assert second.returncode == 0
    assert "duplicate" in second.stdout.decode()
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


def test_database_down_exits_75_then_ingests_once_when_back(gateway_db):
    raw = make_mail()
    down = gateway_db.pipe(
        raw, extra_env={"DATABASE_URL": "postgres://postgres@127.0.0.1:9/tracker"}
    )
    assert down.returncode == 75
    err = down.stderr.decode()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("4.3.0")
    assert gateway_db.pipe(raw).returncode == 0
    assert gateway_db.pipe(raw).returncode == 0
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


def test_unknown_queue_exits_67_with_5_1_1(gateway_db):
    result = gateway_db.pipe(make_mail(), "--queue", "NoSuchQueue")
    assert result.returncode == 67
    assert result.stderr.decode().startswith("5.1.1")
    assert "Traceback" not in result.stderr.decode()


def test_too_large_message_exits_65_with_5_3_4(gateway_db):
    from mailgate.services import max_message_size

    raw = make_mail(body="x" * (max_message_size() + 10))
    result = gateway_db.pipe(raw)
    assert result.returncode == 65
    assert result.stderr.decode().startswith("5.3.4")
    assert gateway_db.query("SELECT count(*) FROM mailgate_inboundemail") == [(0,)]


def test_junk_input_is_quarantined_and_exits_0(gateway_db):
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 10
    result = gateway_db.pipe(raw)
    assert result.returncode == 0
    rows = gateway_db.query("SELECT status, raw FROM mailgate_inboundemail")
    assert [(status, bytes(blob)) for status, blob in rows] == [("quarantined", raw)]


def test_bad_arguments_exit_75_not_a_bounce(gateway_db):
    result = gateway_db.pipe(make_mail(), "--no-such-option")
    assert result.returncode == 75
    assert "Traceback" not in result.stderr.decode()


def test_invalid_action_exits_75(gateway_db):
    result = gateway_db.pipe(make_mail(), "--action", "frobnicate")
    assert result.returncode == 75
    assert result.stderr.decode().startswith("4.3.5")


def test_extension_ticket_from_environment(gateway_db):
    gateway_db.pipe(make_mail())
    (ticket_id,) = gateway_db.query("SELECT id FROM tracker_ticket")[0]
    reply = make_mail(subject="untagged", message_id="<m2@c>")
    result = gateway_db.pipe(
        reply, "--extension", "ticket", extra_env={"EXTENSION": str(ticket_id)}
    )
    assert result.returncode == 0
    assert f"ticket #{ticket_id}" in result.stdout.decode()
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


def _run_pipe_module(raw, env, *args):
    import subprocess
    import sys

    from tests.mailgate.conftest import ROOT

    return subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "mailgate.pipe", *args],
        input=raw,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_pipe_module_delivers_like_the_command(gateway_db):
    result = _run_pipe_module(make_mail(), gateway_db.env, "--queue", "general")
    assert result.returncode == 0, result.stderr
    assert gateway_db.query("SELECT count(*) FROM tracker_ticket") == [(1,)]


def test_pipe_module_exits_75_when_django_cannot_start(gateway_db):
    env = {**gateway_db.env, "DJANGO_SETTINGS_MODULE": "no_such_settings_module"}
    result = _run_pipe_module(make_mail(), env)
    assert result.returncode == 75
    err = result.stderr.decode()
    assert err.startswith("4.3.0")
    assert len(err.strip().splitlines()) == 1
