"""The RT 5 database the import tests read (set up by ../shared/anchors/rt5/setup.sh,
filled by fill_rt5.pl through RT's own Perl API the first time)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RT5_URL = os.environ.get("RT5_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rt5")
FILL = Path(__file__).with_name("fill_rt5.pl")
RT_LIB = Path("/usr/share/request-tracker5/lib")


def _connect():
    import psycopg

    try:
        return psycopg.connect(RT5_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(
            f"No RT 5 database at {RT5_URL} ({exc.__class__.__name__}): run "
            "`bash ../shared/anchors/rt5/setup.sh` to test the RT import."
        )


def _is_filled(conn) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM Users WHERE Name = 'import-filled'")
        return cur.fetchone() is not None


@pytest.fixture(scope="module")
def rt(request):
    conn = _connect()
    if not _is_filled(conn):
        if not (RT_LIB.exists() and shutil.which("perl")):
            pytest.skip("The rt5 database holds no test data and RT is not installed.")
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [shutil.which("perl"), str(FILL)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    yield conn
    conn.close()
