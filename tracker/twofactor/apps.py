from __future__ import annotations

from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "tracker.twofactor"
    label = "twofactor"
    verbose_name = "Two-factor authentication"
    default_auto_field = "django.db.models.BigAutoField"
