"""Both web server layouts: at the root, and under a sub-path such as /rt/."""

from __future__ import annotations

import io
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import clear_script_prefix, reverse, set_script_prefix

from tracker.ops.prefix import PrefixMiddleware

pytestmark = pytest.mark.django_db


def _call(app, path: str, script_name: str = "") -> tuple[str, dict, str]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": script_name,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    seen: dict = {}

    def start_response(status: str, headers: list) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    # Like Django's test client: a handler called directly would otherwise close the
    # connection at request end, which ends the test's transaction on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(app(environ, start_response)).decode()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    clear_script_prefix()
    return seen["status"], seen["headers"], body


@pytest.fixture
def prefixed(settings):
    settings.FORCE_SCRIPT_NAME = "/rt"
    settings.URL_PREFIX = "/rt"
    settings.STATIC_URL = "/rt/static/"
    yield PrefixMiddleware(WSGIHandler(), "/rt")
    clear_script_prefix()


@pytest.mark.parametrize("script_name", ["", "/rt"])
def test_login_page_links_carry_the_prefix_whatever_the_proxy_passes(
    prefixed, script_name
):
    path = "/rt/accounts/login/" if not script_name else "/accounts/login/"
    status, _, body = _call(prefixed, path, script_name)
    assert status.startswith("200")
    links = re.findall(r'(?:href|action|src)="(/[^"]*)"', body)
    assert links
    assert all(link.startswith("/rt/") for link in links), links


def test_redirect_to_login_stays_under_the_prefix(prefixed):
    status, headers, _ = _call(prefixed, "/rt/")
    assert status.startswith("302")
    assert headers["Location"].startswith("/rt/accounts/login/")


def test_health_check_answers_under_the_prefix(prefixed):
    status, _, _ = _call(prefixed, "/rt/healthz")
    assert status.startswith("200")


def test_root_layout_has_no_prefix():
    set_script_prefix("/")
    assert reverse("healthz") == "/healthz"
    status, _, body = _call(WSGIHandler(), "/accounts/login/")
    assert status.startswith("200")
    assert 'action="/accounts/login/"' in body
