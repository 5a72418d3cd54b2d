"""Web authentication: hashing, lockout, enumeration, sessions, redirects, reset links, CSRF.

Advisories covered (see ../shared/reliability-security.md A.1, A.5, AC9-AC13):
RT CVE-2021-38562 (login enumeration), RT CVE-2022-25803 and Django CVE-2016-2512
(open redirect), osTicket 2022 session fixation, Django CVE-2012-4520 style Host-header
reset poisoning, osTicket 2021 username discovery through password reset,
RT CVE-2012-4732 (CSRF).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.security.conftest import PASSWORD
from tracker.web import login_guard

pytestmark = [pytest.mark.django_db, pytest.mark.security]

LOGIN = "/accounts/login/"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def page(response) -> str:
    return _CSRF.sub("CSRF", response.content.decode())


@pytest.fixture
def alice():
    return make_user(username="alice", email="alice@example.org", password=PASSWORD)


def test_passwords_are_stored_with_argon2(settings, alice):
    project = importlib.import_module("tracker.settings")
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS

    alice.set_password("a fresh long passphrase")
    alice.save()

    assert alice.password.startswith("argon2$argon2id$")
    assert alice.check_password("a fresh long passphrase")


def test_cve_2021_38562_wrong_password_and_unknown_user_get_the_same_answer(
    client, alice
):
    wrong = login(client, "alice", "not it")
    unknown = login(client, "nobody-by-that-name", "not it")

    assert wrong.status_code == unknown.status_code == 200
    assert page(wrong).replace("alice", "X") == page(unknown).replace(
        "nobody-by-that-name", "X"
    )


def test_disabled_user_gets_the_same_answer_as_a_wrong_password(client, alice):
    make_user(username="dora", password=PASSWORD, is_active=False)

    disabled = login(client, "dora", PASSWORD)
    wrong = login(client, "alice", "not it")

    assert page(disabled).replace("dora", "X") == page(wrong).replace("alice", "X")


def test_login_locks_after_the_failure_limit(client, alice, settings):
    settings.LOGIN_GUARD_USER_LIMIT = 3
    for _ in range(3):
        assert login(client, "alice", "guess").status_code == 200

    locked = login(client, "alice", PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_lockout_answers_alike_for_existing_and_unknown_users(alice, settings):
    settings.LOGIN_GUARD_USER_LIMIT = 2
    answers = {}
    for name in ("alice", "ghost"):
        client = Client()
        for _ in range(3):
            response = login(client, name, "guess")
        answers[name] = (response.status_code, page(response).replace(name, "X"))

    assert answers["alice"] == answers["ghost"]
    assert answers["alice"][0] == 429


def test_lockout_per_address_covers_many_usernames(alice, settings):
    settings.LOGIN_GUARD_ADDRESS_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        login(client, f"spray{n}", "Winter2026!")

    blocked = login(client, "alice", PASSWORD)
    elsewhere = login(Client(REMOTE_ADDR="198.51.100.7"), "alice", PASSWORD)

    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_lockout_also_guards_http_basic_on_the_api(alice, settings):
    import base64

    settings.LOGIN_GUARD_USER_LIMIT = 2
    for _ in range(2):
        login(Client(), "alice", "guess")
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()

    response = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=f"Basic {basic}")

    assert response.status_code == 401


def test_correct_login_clears_the_username_count(client, alice, settings):
    settings.LOGIN_GUARD_USER_LIMIT = 3
    login(client, "alice", "guess")
    login(client, "alice", "guess")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    login(client, "alice", "guess")
    login(client, "alice", "guess")

    assert not login_guard.is_locked("alice", "127.0.0.1")


def test_login_rotates_the_session_key(client, alice):
    client.get(LOGIN)
    client.session["probe"] = 1
    session = client.session
    session["before-login"] = "x"
    session.save()
    before = session.session_key

    assert login(client, "alice", PASSWORD).status_code == 302

    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_osticket_2022_session_fixation_planted_id_is_not_kept(alice):
    attacker = Client()
    attacker.get(LOGIN)
    planted = attacker.session
    planted.save()
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    login(victim, "alice", PASSWORD)
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    assert attacker.get("/").status_code == 302  # still anonymous: sent to login


def test_logout_invalidates_the_session_on_the_server(alice):
    client = Client()
    login(client, "alice", PASSWORD)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen

    assert not Session.objects.filter(session_key=stolen).exists()
    assert replay.get("/").status_code == 302


OFF_SITE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "http:evil.example",
    "https:evil.example",
    "https://testserver@evil.example",
    "http://testserver\\@evil.example",
    "https://evil.example#testserver",
    "https://evil.example?testserver",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "http://evil.example:80@testserver",
    "https://xn--evil-9ta.example",
    "//evil%2Eexample",
    "https:/evil.example",
    "/ /evil.example",
    "http://[::ffff:203.0.113.1]/",
    "https://203.0.113.1/",
]


@pytest.mark.parametrize("target", OFF_SITE_NEXT)
def test_cve_2022_25803_and_django_2016_2512_login_never_redirects_off_site(
    client, alice, target
):
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": target}
    )

    assert response.status_code == 302
    # Where a browser would go: resolve the Location against the login page.
    landing = urlsplit(
        urljoin("http://testserver/accounts/login/", response["Location"])
    )
    assert landing.scheme == "http"
    assert landing.netloc == "testserver"


def test_login_follows_an_on_site_next(client, alice):
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": "/preferences/"}
    )

    assert response["Location"] == "/preferences/"


def test_django_2012_4520_reset_link_uses_web_base_url_not_the_host_header(
    alice, settings
):
    settings.ALLOWED_HOSTS = ["*"]  # the worst case: a proxy passing any Host through
    settings.WEB_BASE_URL = "https://tracker.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    Client().post(
        reverse("password_reset"),
        {"email": "alice@example.org"},
        HTTP_HOST="evil.example",
        HTTP_X_FORWARDED_HOST="evil.example",
    )

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "https://tracker.example.org/accounts/reset/" in body
    assert "evil.example" not in body


def test_osticket_2021_password_reset_answers_alike_for_known_and_unknown(
    alice, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    known = Client().post(reverse("password_reset"), {"email": "alice@example.org"})
    unknown = Client().post(reverse("password_reset"), {"email": "zed@example.org"})

    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    done_known = Client().get(known["Location"])
    done_unknown = Client().get(unknown["Location"])
    assert page(done_known) == page(done_unknown)
    assert len(mail.outbox) == 1


def test_cve_2012_4732_web_posts_without_a_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff_general)
    ticket = world.ta.ticket
    routes = [
        reverse("ticket-update", args=[ticket.pk]),
        reverse("ticket-action", args=[ticket.pk]),
        reverse("ticket-basics", args=[ticket.pk]),
        reverse("watcher-add", args=[ticket.pk]),
        reverse("link-add", args=[ticket.pk]),
        reverse("ticket-merge", args=[ticket.pk]),
        reverse("ticket-create"),
        reverse("bulk-update"),
        reverse("preferences"),
        reverse("logout"),
        "/admin/tracker/user/add/",
    ]
    before = ticket.transactions.count()

    statuses = {
        url: client.post(url, {"body": "x", "kind": "reply"}).status_code
        for url in routes
    }

    assert set(statuses.values()) == {403}, statuses
    assert ticket.transactions.count() == before


def test_session_authenticated_api_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff_general)
    ticket = world.ta.ticket
    before = ticket.transactions.count()

    response = client.post(
        f"/REST/2.0/ticket/{ticket.pk}/correspond",
        '{"Content": "forged"}',
        content_type="application/json",
    )

    assert response.status_code == 403
    assert ticket.transactions.count() == before


def test_rest1_refuses_cross_site_posts_with_a_session(world):
    client = Client()
    client.force_login(world.staff_general)
    ticket = world.ta.ticket
    before = ticket.transactions.count()

    response = client.post(
        f"/REST/1.0/ticket/{ticket.pk}/comment",
        {"content": f"id: {ticket.pk}\nAction: comment\nText: forged"},
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert "Cross-site requests are not accepted" in response.content.decode()
    assert ticket.transactions.count() == before


def test_token_authenticated_api_needs_no_csrf_token(world):
    client = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"token {world.token_secret_a}"
    )
    ticket = world.ta.ticket

    response = client.post(
        f"/REST/2.0/ticket/{ticket.pk}/correspond",
        '{"Content": "from my script"}',
        content_type="application/json",
    )

    assert response.status_code in (200, 201)


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-production-like-key-3kq9vXw2LmZ8rTn4YbHc6JsPdGe1UaVo",
    "ALLOWED_HOSTS": "tracker.example.org",
    "WEB_BASE_URL": "https://tracker.example.org",
    "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
}


def _production(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, "TRACKER_VAR_DIR": str(tmp_path)}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_use_secure_cookies_hsts_and_argon2(tmp_path):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.PASSWORD_HASHERS[0]]))"
    )
    result = _production(tmp_path, "-c", script)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values[:3] == [True, True, True]
    assert values[3] >= 31536000
    assert values[4] is True
    assert values[5] is True
    assert values[6].endswith("Argon2PasswordHasher")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _production(
        tmp_path,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
