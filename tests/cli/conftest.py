"""A live server, a staff member with an auth token, and a runner for the CLI."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_user
from tracker.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Stdin(io.StringIO):
    def __init__(self, text: str = "", *, tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def staff(db):
    queue = make_queue("Support")
    user = make_user(privileged=True, username="alice", email="alice@example.org")
    grant_many(
        [*STAFF_RIGHTS, "SeeCustomField", "ModifyCustomField", "SetInitialCustomField"],
        user=user,
        queue=queue,
    )
    return user


@pytest.fixture
def cli(live_server, staff, capsys, tmp_path):
    from tracker.api.authentication import issue_token

    _, secret = issue_token(user=staff, description="cli tests")
    env = {
        "TRACKER_URL": live_server.url,
        "TRACKER_TOKEN": secret,
        "HOME": str(tmp_path),
    }

    def run(*argv: str, stdin: str = "", tty: bool = True, **extra_env: str) -> Result:
        capsys.readouterr()
        code = main(list(argv), env={**env, **extra_env}, stdin=Stdin(stdin, tty=tty))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    run.env = env
    return run
