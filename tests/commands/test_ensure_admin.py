"""`manage.py ensure_admin`: one superuser, a random password shown once, then no-ops."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_user
from tracker.models import User

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def printed_password(output):
    match = re.search(r"password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_creates_one_superuser_whose_password_is_the_printed_one():
    output = run()

    admin = User.objects.get(is_superuser=True)
    assert admin.username == "admin"
    assert admin.email == "admin@localhost"
    assert admin.has_usable_password()
    assert admin.check_password(printed_password(output))
    assert "shown only once" in output


def test_created_admin_is_privileged_staff():
    run()

    admin = User.objects.get(username="admin")
    assert admin.is_privileged
    assert admin.is_staff
    assert admin.is_active


def test_second_run_changes_nothing_and_prints_no_password():
    run()
    before = User.objects.get(username="admin")

    output = run()

    after = User.objects.get(username="admin")
    assert User.objects.filter(is_superuser=True).count() == 1
    assert after.password == before.password
    assert "already exists" in output
    assert "password:" not in output
    assert len(output.strip().splitlines()) == 1


def test_two_fresh_runs_produce_different_passwords():
    first = printed_password(run())
    User.objects.filter(is_superuser=True).delete()

    second = printed_password(run())

    assert first != second
    assert len(second) >= 24


def test_username_and_email_can_be_chosen():
    output = run("--username", "root", "--email", "root@example.org")

    admin = User.objects.get(is_superuser=True)
    assert (admin.username, admin.email) == ("root", "root@example.org")
    assert admin.check_password(printed_password(output))


def test_does_nothing_after_createsuperuser_with_environment_variables(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "chosen-by-ops-123")
    call_command("createsuperuser", interactive=False, stdout=StringIO())

    output = run()

    assert list(User.objects.filter(is_superuser=True).values_list("username")) == [
        ("ops",)
    ]
    assert User.objects.get(username="ops").check_password("chosen-by-ops-123")
    assert "already exists (ops)" in output


def test_refuses_when_the_username_belongs_to_an_ordinary_user():
    make_user(username="admin")

    with pytest.raises(CommandError, match="not a superuser"):
        run()

    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_an_invalid_email():
    with pytest.raises(CommandError, match="Invalid --email"):
        run("--email", "not an address")

    assert not User.objects.filter(is_superuser=True).exists()
