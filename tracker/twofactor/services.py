"""Enrolment, verification and reset of the TOTP second factor.

Every code check claims its time step with one conditional UPDATE, so two requests
racing with the same code cannot both succeed.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.errors import PermissionDenied, ValidationFailed
from tracker.models import User
from tracker.twofactor import totp
from tracker.twofactor.models import TOTPDevice


def is_enabled(user: User) -> bool:
    """True when login must ask this user for a code."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def may_enrol(user: User) -> bool:
    """Staff only: customers log in to the self-service pages with a password."""
    return bool(user.is_active and user.is_privileged)


def _claim(device: TOTPDevice, code: str, now: float | None) -> bool:
    step = totp.matching_step(
        totp.secret_bytes(device.secret), code, time.time() if now is None else now
    )
    if step is None:
        return False
    claimed = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
        last_step=step
    )
    return claimed == 1


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """A fresh unconfirmed secret for `user`, replacing an earlier unconfirmed one.

    Side effects: writes the user's device row. Refused when a confirmed device exists
    (disable it first) or when the user is not staff.
    """
    if not may_enrol(user):
        raise PermissionDenied("Only staff can set up two-factor authentication.")
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed:
        raise ValidationFailed("Two-factor authentication is already enabled.")
    if device is None:
        return TOTPDevice.objects.create(user=user, secret=totp.new_secret())
    device.secret = totp.new_secret()
    device.last_step = 0
    device.save(update_fields=["secret", "last_step"])
    return device


@transaction.atomic
def confirm_enrolment(*, user: User, code: str, now: float | None = None) -> bool:
    """Enable the device being set up if `code` comes from it; False otherwise."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .first()
    )
    if device is None or not _claim(device, code, now):
        return False
    device.refresh_from_db()
    device.confirmed = True
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed", "confirmed_at"])
    return True


def verify_code(*, user: User, code: str, now: float | None = None) -> bool:
    """True once per time step for a correct code of the user's enabled device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and _claim(device, code, now)


@transaction.atomic
def disable(*, user: User, code: str, now: float | None = None) -> bool:
    """Remove the user's second factor if `code` is a valid (unused) code."""
    if not verify_code(user=user, code=code, now=now):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True


@transaction.atomic
def reset(*, user: User, actor: User) -> None:
    """An administrator removes `user`'s second factor (a lost phone).

    Side effects: deletes the device row (the audit history records who did it).
    """
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only administrators can reset two-factor login.")
    TOTPDevice.objects.filter(user=user).delete()


def provisioning_uri(device: TOTPDevice) -> str:
    issuer = getattr(settings, "TRACKER_RTNAME", "") or "tracker"
    return totp.provisioning_uri(device.secret, device.user.username, issuer)
