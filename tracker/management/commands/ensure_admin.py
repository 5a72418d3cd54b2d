"""Create the first admin account, once, with a random password shown a single time."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from tracker.models import User
from tracker.principals import system_user

# 32 URL-safe characters, about 190 bits: no need for the password validators.
PASSWORD_BYTES = 24


class Command(BaseCommand):
    help = (
        "Create the admin account (staff, privileged, superuser) if no superuser exists "
        "yet, with a strong random password that is printed once. If a superuser already "
        "exists, print one line and change nothing, so the command is safe to run on every "
        "deploy. To choose the password yourself instead, run Django's "
        "`createsuperuser --noinput` first with DJANGO_SUPERUSER_USERNAME, "
        "DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD set; ensure_admin then finds "
        "that superuser and does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username", default="admin", help="Login name (default: admin)."
        )
        parser.add_argument(
            "--email",
            default="admin@localhost",
            help="Email address (default: admin@localhost).",
        )

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        username, email = username.strip(), email.strip()
        _validate(username, email)
        with transaction.atomic():
            # Two deploy hooks may run this at once; locking an always-present row makes
            # the second wait and then see the first one's superuser, on PostgreSQL too.
            User.objects.select_for_update().get(pk=system_user().pk)
            existing = User.objects.filter(is_superuser=True).order_by("pk").first()
            if existing is not None:
                self.stdout.write(
                    f"A superuser already exists ({existing.username}); nothing changed."
                )
                return
            if User.objects.filter(username=username).exists():
                raise CommandError(
                    f"A user named '{username}' exists but is not a superuser; "
                    "pass another --username or promote that user in the admin."
                )
            if User.objects.filter(email__iexact=email).exists():
                raise CommandError(
                    f"Another user already has the address '{email}'; pass another --email."
                )
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            User.objects.create_superuser(username, email, password)
        self.stdout.write(_framed(username, password))


def _validate(username: str, email: str) -> None:
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise CommandError(f"Invalid --username: {' '.join(exc.messages)}") from None
    if not username:
        raise CommandError("Invalid --username: it cannot be empty.")
    try:
        validate_email(email)
    except ValidationError:
        raise CommandError(f"Invalid --email: '{email}'.") from None


def _framed(username: str, password: str) -> str:
    lines = [
        "Admin account created",
        "",
        f"  username: {username}",
        f"  password: {password}",
        "",
        "This password is shown only once: store it now.",
        f"Change it later with: manage.py changepassword {username}",
    ]
    width = max(len(line) for line in lines)
    border = "+" + "-" * (width + 4) + "+"
    body = [f"|  {line.ljust(width)}  |" for line in lines]
    return "\n".join([border, *body, border])
