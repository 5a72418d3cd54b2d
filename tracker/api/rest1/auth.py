"""Who is calling: HTTP basic, `user`/`pass` form fields, or the RT_SID session cookie.

RT's `rt` tool sends `user` and `pass` with its first request and keeps the session
cookie it gets back, but only if the cookie is named `RT_SID_<something>` and its value
is hexadecimal; so the Django session key is carried hex-encoded under that name. The
web UI's session cookie is not accepted here: these views are exempt from CSRF checks,
so a browser's ambient cookie must not authenticate them.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from tracker.models import User

COOKIE_PREFIX = "RT_SID_"
_USER_KEY = "_rest1_user_id"
_HASH_KEY = "_rest1_auth_hash"


class LoginFailed(Exception):
    """Credentials were given and are wrong (as opposed to none given)."""

    def __init__(self, *, basic: bool) -> None:
        super().__init__("Credentials required")
        self.basic = basic


def cookie_path() -> str:
    """Where REST 1.0 is mounted (script prefix included): the cookie goes nowhere else."""
    logout = reverse("rest1:logout")
    return logout[: -len("logout")]


def is_cross_site(request: HttpRequest) -> bool:
    """A browser request started by another site. These views skip Django's CSRF check
    (rt sends no token), and a browser may replay cached basic credentials, so such
    requests are refused; rt and scripts send no Origin header."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin:
        return False
    return origin.rstrip("/") != f"{request.scheme}://{request.get_host()}"


def _session_store(session_key: str | None = None) -> SessionBase:
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    return engine(session_key)


def _check(request: HttpRequest, username: str, password: str) -> User | None:
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active or getattr(user, "is_system", False):
        return None
    return user


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    username, _, password = decoded.partition(":")
    return username, password


def _cookie_user(request: HttpRequest) -> User | None:
    for name, value in request.COOKIES.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        try:
            session_key = bytes.fromhex(value).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            continue
        session = _session_store(session_key)
        user_id = session.get(_USER_KEY)
        if user_id is None:
            continue
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None and constant_time_compare(
            session.get(_HASH_KEY, ""), user.get_session_auth_hash()
        ):
            return user
    return None


def identify(request: HttpRequest) -> tuple[User | None, bool]:
    """The calling user (or None), and whether a new session must be handed out.

    Raises LoginFailed when credentials were sent and are wrong.
    """
    if request.method == "POST" and "user" in request.POST:
        user = _check(request, request.POST["user"], request.POST.get("pass", ""))
        if user is None:
            raise LoginFailed(basic=False)
        return user, True
    basic = _basic_credentials(request)
    if basic is not None:
        user = _check(request, *basic)
        if user is None:
            raise LoginFailed(basic=True)
        return user, False
    return _cookie_user(request), False


def start_session(request: HttpRequest, response: HttpResponse, user: User) -> None:
    session = _session_store()
    session[_USER_KEY] = user.pk
    session[_HASH_KEY] = user.get_session_auth_hash()
    session.create()
    port = request.get_port()
    response.set_cookie(
        f"{COOKIE_PREFIX}{settings.TRACKER_RTNAME}.{port}",
        session.session_key.encode("ascii").hex(),
        max_age=settings.SESSION_COOKIE_AGE,
        path=cookie_path(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


def end_session(request: HttpRequest, response: HttpResponse) -> None:
    for name, value in request.COOKIES.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        try:
            session_key = bytes.fromhex(value).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            continue
        _session_store(session_key).delete()
        response.delete_cookie(name, path=cookie_path(), samesite="Strict")
