"""The optional read replica (searches and reports only) and attachment storage chosen
from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import resolve

from tracker.models import Ticket
from tracker.ops.dbrouter import (
    ReplicaRouter,
    ReplicaViewsMiddleware,
    reading_from_replica,
)

ROOT = Path(__file__).resolve().parents[2]
# The router only looks up the alias in settings.DATABASES; no connection is opened.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def _with_replica(settings):
    settings.DATABASES = {
        **settings.DATABASES,
        "replica": settings.DATABASES["default"],
    }


def test_reads_use_the_primary_outside_replica_views(settings):
    _with_replica(settings)
    assert ReplicaRouter().db_for_read(Ticket) is None


def test_reads_inside_a_replica_block_use_the_replica(settings):
    _with_replica(settings)
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Ticket) == "replica"
        assert ReplicaRouter().db_for_write(Ticket) == "default"


def test_replica_block_without_a_replica_reads_the_primary():
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Ticket) is None


def _seen_by_view(settings, method: str, path: str) -> str | None:
    """Where the view's reads went, going through the middleware as Django does."""
    _with_replica(settings)
    seen = []
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(path)

    def get_response(r):
        middleware.process_view(r, request.resolver_match.func, (), {})
        seen.append(ReplicaRouter().db_for_read(Ticket))

    middleware = ReplicaViewsMiddleware(get_response)
    middleware(request)
    assert ReplicaRouter().db_for_read(Ticket) is None  # reset after the request
    return seen[0]


def test_search_page_gets_read_from_the_replica(settings):
    assert _seen_by_view(settings, "get", "/search/") == "replica"


def test_ticket_page_reads_the_primary(settings):
    assert _seen_by_view(settings, "get", "/ticket/1/") is None


def test_search_posts_never_use_the_replica(settings):
    assert _seen_by_view(settings, "post", "/search/") is None


def _settings_in_subprocess(tmp_path, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'storages': settings.STORAGES['default'], "
        "'databases': sorted(settings.DATABASES), "
        "'routers': settings.DATABASE_ROUTERS}, default=str))"
    )
    full = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "TRACKER_VAR_DIR": str(tmp_path),
        **env,
    }
    full.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_s3_storage_is_configured_from_the_environment(tmp_path):
    found = _settings_in_subprocess(
        tmp_path,
        ATTACHMENT_STORAGE="s3",
        S3_BUCKET="tracker-files",
        S3_ENDPOINT_URL="https://s3.example.org",
    )
    assert found["storages"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["storages"]["OPTIONS"]["bucket_name"] == "tracker-files"
    assert found["storages"]["OPTIONS"]["endpoint_url"] == "https://s3.example.org"


def test_replica_url_adds_a_routed_database(tmp_path):
    found = _settings_in_subprocess(
        tmp_path, DATABASE_REPLICA_URL="postgres://reader@replica.example/tracker"
    )
    assert found["databases"] == ["default", "replica"]
    assert found["routers"] == ["tracker.ops.dbrouter.ReplicaRouter"]
