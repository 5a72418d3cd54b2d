"""The backend that keeps users with a second factor off password-only doors.

Listed in AUTHENTICATION_BACKENDS after the login guard and before ModelBackend. For a
user whose TOTP is enabled it refuses every password check except the first step of
the web login (the view marks that request): HTTP basic on the REST APIs, REST 1.0's
login and the admin's own login form all refuse, and those clients use auth tokens
instead. Failing closed here means a door added later cannot skip the code by accident.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tracker.twofactor.models import TOTPDevice

FIRST_STEP_MARK = "twofactor_password_step"


def mark_password_step(request: HttpRequest) -> None:
    setattr(request, FIRST_STEP_MARK, True)


class TwoFactorGuardBackend:
    """Authenticates nobody; stops `authenticate()` for enrolled users outside the
    login form. Users without TOTP pass on to ModelBackend untouched."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **_: Any,
    ) -> None:
        if username is None or getattr(request, FIRST_STEP_MARK, False):
            return
        user_model = get_user_model()
        enrolled = TOTPDevice.objects.filter(
            confirmed=True,
            **{f"user__{user_model.USERNAME_FIELD}": username},
        ).exists()
        if enrolled:
            # Hash once, as ModelBackend does for a wrong password, so the refusal
            # takes as long and says nothing about who has a second factor.
            user_model().set_password(password or "")
            raise PermissionDenied("Use an auth token: this user has two-factor on.")

    def get_user(self, user_id: int) -> None:
        return None
