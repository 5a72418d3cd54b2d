"""Login throttling and the account views that need it.

Failed logins are counted in the cache (Redis in production, so every web process
shares the counts) twice: per username and per client address. Once either count
reaches its limit, further attempts are refused without checking the password until
the window has passed. The counts do not depend on whether the username exists, so
an attacker learns nothing about which accounts are real: a locked unknown name and a
locked real one answer alike.

The password-reset view builds its links from WEB_BASE_URL, never from the Host
header of the request that asked for the mail.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _

DEFAULT_USER_LIMIT = 5
DEFAULT_ADDRESS_LIMIT = 30
DEFAULT_WINDOW_SECONDS = 15 * 60


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def user_limit() -> int:
    """Failed logins for one username before it is refused for the window."""
    return _limit("LOGIN_GUARD_USER_LIMIT", DEFAULT_USER_LIMIT)


def address_limit() -> int:
    """Failed logins from one client address before it is refused for the window."""
    return _limit("LOGIN_GUARD_ADDRESS_LIMIT", DEFAULT_ADDRESS_LIMIT)


def window_seconds() -> int:
    return _limit("LOGIN_GUARD_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)


def client_address(request: HttpRequest) -> str:
    """The peer address as the WSGI server saw it.

    X-Forwarded-For is not read: a client can set it to anything, so trusting it would
    let one attacker spread guesses over invented addresses.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"login-guard:{kind}:{digest}"


def _keys(username: str, address: str) -> tuple[str, str]:
    return _key("user", username.strip().casefold()), _key("addr", address)


def is_locked(username: str, address: str) -> bool:
    """True when this username or this address has used up its failed attempts."""
    user_key, addr_key = _keys(username, address)
    counts = cache.get_many([user_key, addr_key])
    return (
        counts.get(user_key, 0) >= user_limit()
        or counts.get(addr_key, 0) >= address_limit()
    )


def _bump(key: str) -> None:
    # add() is a no-op when the key exists; incr() is atomic in Redis and locmem.
    if not cache.add(key, 1, timeout=window_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window_seconds())


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        _bump(key)


def record_success(username: str, address: str) -> None:
    """A correct password clears the username's count (not the address's)."""
    cache.delete(_keys(username, address)[0])


class LoginGuardBackend:
    """Listed first in AUTHENTICATION_BACKENDS: refuses every password check while the
    guard is engaged, whichever door asks (login page, REST 1.0, HTTP basic).

    Raising PermissionDenied makes `authenticate()` stop before the other backends
    look at the password, and send `user_login_failed`.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **_: Any
    ) -> None:
        address = client_address(request) if request is not None else "unknown"
        if username is not None and is_locked(username, address):
            raise PermissionDenied(LOCKED_MESSAGE)

    def get_user(self, user_id: int) -> Any:
        # Sessions made by force_login() or login(backend=None) name the first backend,
        # which is this one; loading the user is Django's usual job.
        return ModelBackend().get_user(user_id)


@receiver(user_login_failed)
def _count_failure(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **_: Any,
) -> None:
    username = str(credentials.get("username") or "")
    address = client_address(request) if request is not None else "unknown"
    record_failure(username, address)


LOCKED_MESSAGE = (
    "Too many failed attempts. Wait a few minutes before you try again, "
    "or reset your password."
)


class GuardedAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing to check passwords while the guard is engaged."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else "unknown"
        if is_locked(username, address):
            raise ValidationError(_(LOCKED_MESSAGE), code="locked")
        # A failure is counted by the user_login_failed receiver below.
        cleaned = super().clean()
        record_success(username, address)
        return cleaned


class GuardedLoginView(auth_views.LoginView):
    """The login page with the guard; a refused attempt answers 429."""

    form_class = GuardedAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        locked = any(e.code == "locked" for e in form.non_field_errors().as_data())
        if locked:
            response.status_code = 429
        return response


class BaseUrlPasswordResetView(auth_views.PasswordResetView):
    """Password reset whose mailed link points at WEB_BASE_URL, whatever Host was sent."""

    def form_valid(self, form: Any) -> HttpResponse:
        base = urlsplit(settings.WEB_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


# Included under accounts/ ahead of django.contrib.auth.urls, which serves the rest.
urlpatterns = [
    path("login/", GuardedLoginView.as_view(), name="login"),
    path(
        "password_reset/",
        BaseUrlPasswordResetView.as_view(),
        name="password_reset",
    ),
]
