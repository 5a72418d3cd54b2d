"""Fixtures for the REST 2.0 tests: a JSON-speaking client and users with known rights."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from queues.models import Queue
from tests.factories import STAFF_RIGHTS, grant_many, make_user

BASE = "/REST/2.0/"


class Api:
    """A test client that sends and reads JSON, authenticated as one user (or nobody)."""

    def __init__(self, user: Any = None, **headers: str) -> None:
        self.client = Client(**headers)
        if user is not None:
            self.client.force_login(
                user, backend="django.contrib.auth.backends.ModelBackend"
            )

    def _url(self, path: str) -> str:
        return path if path.startswith("/") or "://" in path else BASE + path

    def get(self, path: str, **params: Any):
        return self.client.get(self._url(path), params or None)

    def _send(self, method: str, path: str, body: Any, raw: str | None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method)(
            self._url(path), data, content_type="application/json"
        )

    def post(self, path: str, body: Any = None, *, raw: str | None = None):
        return self._send("post", path, body, raw)

    def put(self, path: str, body: Any = None, *, raw: str | None = None):
        return self._send("put", path, body, raw)

    def delete(self, path: str):
        return self.client.delete(self._url(path))

    def multipart(self, path: str, data: dict):
        return self.client.post(self._url(path), data)


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def general():
    return Queue.objects.get(name="General")


@pytest.fixture
def staff(general):
    user = make_user(privileged=True, password="pw", username="staff")
    grant_many(STAFF_RIGHTS, user=user, queue=general)
    return user


@pytest.fixture
def outsider():
    """A user who may see no ticket at all."""
    return make_user(password="pw", username="outsider")


@pytest.fixture
def api(staff):
    return Api(staff)


@pytest.fixture
def anonymous():
    return Api()
