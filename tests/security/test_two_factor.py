"""Optional TOTP second factor for staff: the algorithm (RFC 4226 and RFC 6238 test
vectors), enrolment, the two-step login, replay, throttling, disabling, admin reset,
and the REST doors (tokens work, passwords are refused)."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from audit.models import AuditEntry
from tests.factories import make_admin, make_staff, make_user
from tests.security.conftest import PASSWORD
from tracker.services.tokens import issue_token
from tracker.twofactor import services, totp
from tracker.twofactor.models import TOTPDevice

pytestmark = [pytest.mark.django_db, pytest.mark.security]

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
MANAGE = "/accounts/two-factor/"

# RFC 6238 appendix B: the seeds are the ASCII digits repeated to the hash's size.
SEED_SHA1 = b"12345678901234567890"
SEED_SHA256 = b"12345678901234567890123456789012"
SEED_SHA512 = (b"1234567890" * 7)[:64]
RFC_6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
# RFC 4226 appendix D: HOTP of the SHA-1 seed for counters 0..9.
RFC_4226 = [
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
]  # fmt: skip


@pytest.mark.parametrize("counter", range(10))
def test_hotp_matches_rfc_4226_test_values(counter):
    assert totp.hotp(SEED_SHA1, counter) == RFC_4226[counter]


@pytest.mark.parametrize(("when", "sha1", "sha256", "sha512"), RFC_6238)
def test_totp_matches_rfc_6238_test_vectors(when, sha1, sha256, sha512):
    assert totp.totp(SEED_SHA1, when, digits=8) == sha1
    assert totp.totp(SEED_SHA256, when, digits=8, digest="sha256") == sha256
    assert totp.totp(SEED_SHA512, when, digits=8, digest="sha512") == sha512


def test_codes_one_step_either_side_match_and_two_steps_do_not():
    now = 1_700_000_000.0
    step = totp.step_at(now)

    assert (
        totp.matching_step(SEED_SHA1, totp.totp(SEED_SHA1, now - 30), now) == step - 1
    )
    assert (
        totp.matching_step(SEED_SHA1, totp.totp(SEED_SHA1, now + 30), now) == step + 1
    )
    assert totp.matching_step(SEED_SHA1, totp.totp(SEED_SHA1, now - 60), now) is None
    assert totp.matching_step(SEED_SHA1, "12345a", now) is None


def test_new_secret_is_160_bits_of_base32_an_app_can_read():
    secret = totp.new_secret()

    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(totp.secret_bytes(secret)) == 20
    assert totp.secret_bytes(secret.lower()) == totp.secret_bytes(secret)


def _code(user, offset: float = 0.0) -> str:
    device = TOTPDevice.objects.get(user=user)
    return totp.totp(totp.secret_bytes(device.secret), time.time() + offset)


@pytest.fixture
def staff():
    return make_staff(username="tessa", password=PASSWORD)


@pytest.fixture
def enrolled(staff):
    services.start_enrolment(user=staff)
    assert services.confirm_enrolment(user=staff, code=_code(staff, -30))
    return staff


def _password_step(client: Client, username: str = "tessa", **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def _logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_enrolment_shows_the_otpauth_uri_and_base32_key_then_a_code_turns_it_on(staff):
    client = Client()
    client.force_login(staff)

    client.post(MANAGE, {"action": "start"})
    page = client.get(MANAGE).content.decode()
    device = TOTPDevice.objects.get(user=staff)
    confirmed = client.post(MANAGE, {"action": "confirm", "code": _code(staff)})

    assert (
        f"otpauth://totp/tracker:tessa?secret={device.secret}&amp;issuer=tracker"
        in page
    )
    assert f'<code id="totp-secret">{device.secret}</code>' in page
    assert confirmed.status_code == 302
    assert services.is_enabled(staff)


def test_a_wrong_code_does_not_turn_it_on(staff):
    client = Client()
    client.force_login(staff)
    client.post(MANAGE, {"action": "start"})

    response = client.post(MANAGE, {"action": "confirm", "code": "000000"})

    assert response.status_code == 200
    assert not services.is_enabled(staff)


def test_customers_cannot_enrol():
    customer = make_user(username="cust", password=PASSWORD)
    client = Client()
    client.force_login(customer)

    assert client.get(MANAGE).status_code == 404
    assert client.post(MANAGE, {"action": "start"}).status_code == 404
    assert not TOTPDevice.objects.exists()


def test_user_without_two_factor_logs_in_with_the_password_alone(staff):
    client = Client()

    response = _password_step(client)

    assert response.status_code == 302
    assert _logged_in(client)


def test_password_alone_does_not_log_in_an_enrolled_user(enrolled):
    client = Client()

    response = _password_step(client, next="/ticket/1/")

    assert response.status_code == 302
    assert response["Location"] == CODE
    assert not _logged_in(client)
    assert client.get("/").status_code == 302


def test_password_then_code_logs_in_and_follows_next(enrolled):
    client = Client()
    _password_step(client, next="/preferences/")

    response = client.post(CODE, {"code": _code(enrolled)})

    assert response.status_code == 302
    assert response["Location"] == "/preferences/"
    assert _logged_in(client)
    assert int(client.session[SESSION_KEY]) == enrolled.pk


def test_an_off_site_next_is_not_followed_after_the_code(enrolled):
    client = Client()
    _password_step(client, next="https://evil.example/")

    response = client.post(CODE, {"code": _code(enrolled)})

    assert _logged_in(client)
    assert "evil.example" not in response["Location"]


def test_the_code_step_without_a_correct_password_goes_back_to_login(enrolled):
    client = Client()
    client.post(LOGIN, {"username": "tessa", "password": "wrong"})

    response = client.post(CODE, {"code": _code(enrolled)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not _logged_in(client)


def test_a_wrong_code_is_refused(enrolled):
    client = Client()
    _password_step(client)

    response = client.post(CODE, {"code": "000000"})

    assert response.status_code == 200
    assert not _logged_in(client)


def test_a_code_cannot_be_used_twice(enrolled):
    code = _code(enrolled)
    first, second = Client(), Client()
    _password_step(first)
    _password_step(second)

    first.post(CODE, {"code": code})
    replay = second.post(CODE, {"code": code})

    assert _logged_in(first)
    assert replay.status_code == 200
    assert not _logged_in(second)


def test_an_earlier_code_is_refused_once_a_later_one_was_used(enrolled):
    now = time.time()
    device = TOTPDevice.objects.get(user=enrolled)
    key = totp.secret_bytes(device.secret)

    assert services.verify_code(user=enrolled, code=totp.totp(key, now), now=now)
    assert not services.verify_code(
        user=enrolled, code=totp.totp(key, now - 30), now=now
    )


def test_wrong_codes_lock_the_code_step_like_wrong_passwords(enrolled, settings):
    settings.LOGIN_GUARD_USER_LIMIT = 3
    client = Client()
    _password_step(client)
    for _ in range(3):
        client.post(CODE, {"code": "000000"})

    locked = client.post(CODE, {"code": _code(enrolled)})

    assert locked.status_code == 429
    assert not _logged_in(client)


def test_a_correct_password_does_not_reset_the_wrong_code_count(enrolled, settings):
    settings.LOGIN_GUARD_USER_LIMIT = 3
    settings.LOGIN_GUARD_ADDRESS_LIMIT = 100
    client = Client()
    for _ in range(3):
        _password_step(client)
        client.post(CODE, {"code": "000000"})
    _password_step(client)

    locked = client.post(CODE, {"code": _code(enrolled)})

    assert locked.status_code == 429


def test_the_pending_login_expires(enrolled, monkeypatch):
    client = Client()
    _password_step(client)
    later = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.post(CODE, {"code": "123456"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_turning_it_off_needs_a_valid_code(enrolled):
    client = Client()
    client.force_login(enrolled)

    refused = client.post(MANAGE, {"action": "disable", "code": "000000"})
    still_on = services.is_enabled(enrolled)
    client.post(MANAGE, {"action": "disable", "code": _code(enrolled)})

    assert refused.status_code == 200
    assert still_on
    assert not services.is_enabled(enrolled)
    assert _password_step(Client()).status_code == 302


def test_an_admin_resets_it_in_the_admin_and_the_audit_names_the_admin(enrolled):
    admin = make_admin(username="root2")
    client = Client()
    client.force_login(admin)
    device = TOTPDevice.objects.get(user=enrolled)

    client.post(
        "/admin/twofactor/totpdevice/",
        {"action": "reset_two_factor", "_selected_action": [device.pk]},
    )

    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    entry = AuditEntry.objects.get(object_type="twofactor.totpdevice", action="delete")
    assert entry.actor_name == "root2"
    assert "secret" not in entry.changes
    client = Client()
    _password_step(client)
    assert _logged_in(client)


def test_staff_cannot_reset_someone_elses_second_factor(enrolled):
    other = make_staff(username="other", is_staff=True)
    client = Client()
    client.force_login(other)

    client.post(
        "/admin/twofactor/totpdevice/",
        {
            "action": "reset_two_factor",
            "_selected_action": [TOTPDevice.objects.get(user=enrolled).pk],
        },
    )

    assert services.is_enabled(enrolled)


def _basic(username: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()


def test_http_basic_is_refused_for_an_enrolled_user(enrolled):
    response = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=_basic("tessa"))

    assert response.status_code == 401


def test_http_basic_still_works_without_two_factor(staff):
    response = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=_basic("tessa"))

    assert response.status_code == 200


def _rest1_session_cookies(response) -> list[str]:
    from tracker.api.rest1.auth import COOKIE_PREFIX

    return [name for name in response.cookies if name.startswith(COOKIE_PREFIX)]


def test_rest1_password_login_is_refused_for_an_enrolled_user(enrolled):
    response = Client().post("/REST/1.0/show", {"user": "tessa", "pass": PASSWORD})

    assert _rest1_session_cookies(response) == []


def test_rest1_password_login_still_works_without_two_factor(staff):
    response = Client().post("/REST/1.0/show", {"user": "tessa", "pass": PASSWORD})

    assert _rest1_session_cookies(response) != []


def test_an_auth_token_still_works_for_an_enrolled_user(enrolled):
    _, secret = issue_token(user=enrolled, description="script")

    response = Client().get("/REST/2.0/rt", HTTP_AUTHORIZATION=f"token {secret}")

    assert response.status_code == 200


def test_the_admin_login_form_refuses_an_enrolled_user(enrolled):
    enrolled.is_staff = True
    enrolled.save()
    client = Client()

    client.post("/admin/login/", {"username": "tessa", "password": PASSWORD})

    assert not _logged_in(client)
