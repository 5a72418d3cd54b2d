"""The mail gateway under faults: the whole corpus delivered twice, and the real
`manage.py mailgate` killed with SIGKILL at random points and delivered again, as a
mail server would after a crash (../shared/reliability-security.md D1, D2, D4)."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time

import pytest

from mailgate.models import InboundEmail, InboundStatus
from mailgate.services import ingest
from tests.mailgate.conftest import ROOT, _sqlite_template, gateway_db  # noqa: F401
from tests.mailgate.mailbuilders import make_mail
from tests.mailgate.test_corpus import corpus_files
from tests.reliability.figures import record

pytestmark = pytest.mark.reliability

KILL_RUNS = 20


@pytest.mark.django_db
@pytest.mark.skipif(not corpus_files(), reason="mail corpus not present")
def test_corpus_delivered_twice_is_stored_once_and_nothing_is_lost():
    files = corpus_files()
    lost, duplicated = [], []
    for path in files:
        raw = path.read_bytes()
        first = ingest(raw=raw, queue="General")
        again = ingest(raw=raw, queue="General")
        digest = hashlib.sha256(raw).hexdigest()
        if not InboundEmail.objects.filter(sha256=digest).exists():
            lost.append(path.name)
        if again.status != InboundStatus.DUPLICATE or (
            first.ticket_id and again.ticket_id not in (None, first.ticket_id)
        ):
            duplicated.append(path.name)

    failed = InboundEmail.objects.filter(status=InboundStatus.FAILED).count()
    record("corpus", "messages delivered (x2)", len(files))
    record("corpus", "lost", len(lost))
    record("corpus", "duplicated", len(duplicated))
    record("corpus", "failed (traceback)", failed)
    assert lost == []
    assert duplicated == []
    assert failed == 0


def _popen(gateway, raw: bytes) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "mailgate", "--queue", "General"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=gateway.env,
        cwd=ROOT,
    )
    process.stdin.write(raw)
    process.stdin.close()
    return process


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gateway_killed_at_random_points_then_redelivered_loses_and_duplicates_nothing(
    gateway_db,  # noqa: F811
):
    started = time.monotonic()
    probe = gateway_db.pipe(
        make_mail(message_id="<probe@kill.example>"), "--queue", "General"
    )
    full_run = time.monotonic() - started
    assert probe.returncode == 0, probe.stderr
    rng = random.Random(8)
    killed_after = []
    for run in range(KILL_RUNS):
        raw = make_mail(
            subject=f"Kill run {run}",
            message_id=f"<kill-{run}@kill.example>",
            body=f"Body of run {run}\n",
        )
        process = _popen(gateway_db, raw)
        # From start-up to just past a whole run: kills before, during and after COMMIT.
        delay = rng.uniform(0.1, 1.1 * full_run)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        killed_after.append((round(delay, 2), process.returncode))
        # The mail server saw no exit 0 (or did): either way it may deliver again.
        again = gateway_db.pipe(raw, "--queue", "General")
        assert again.returncode == 0, again.stderr

    rows = gateway_db.query(
        "SELECT subject, COUNT(*) FROM tracker_ticket "
        "WHERE subject LIKE %s GROUP BY subject",
        ("Kill run %",),
    )
    per_subject = dict(rows)
    lost = [r for r in range(KILL_RUNS) if per_subject.get(f"Kill run {r}", 0) == 0]
    duplicated = [
        r for r in range(KILL_RUNS) if per_subject.get(f"Kill run {r}", 0) > 1
    ]
    interrupted = sum(1 for _, code in killed_after if code == -signal.SIGKILL)
    completed = sum(1 for _, code in killed_after if code == 0)
    record("faults", "gateway kill -9 runs", KILL_RUNS)
    record("faults", "runs killed mid-way", interrupted)
    record("faults", "runs that finished before the kill", completed)
    record("faults", "messages lost", len(lost))
    record("faults", "messages duplicated", len(duplicated))
    assert interrupted > 0, killed_after
    assert lost == [], killed_after
    assert duplicated == [], killed_after
