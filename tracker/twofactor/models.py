from __future__ import annotations

from django.conf import settings
from django.db import models


class TOTPDevice(models.Model):
    """A user's TOTP secret. Unconfirmed while the user has not yet typed a code
    from it; only a confirmed device is asked for at login.

    `last_step` is the time step of the last code accepted: a code is taken only for
    a later step, so a code (or an earlier one) cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "TOTP device"

    def __str__(self) -> str:
        state = "enabled" if self.confirmed else "being set up"
        return f"Two-factor for {self.user} ({state})"
