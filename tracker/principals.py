"""Lookups of the system principals (Nobody, RT_System, system groups)."""

from __future__ import annotations

from tracker.models import NOBODY_USERNAME, SYSTEM_USERNAME, User


def nobody() -> User:
    """The placeholder owner of unowned tickets."""
    user, _ = User.objects.get_or_create(
        username=NOBODY_USERNAME,
        defaults={
            "is_system": True,
            "real_name": "Nobody in particular",
            "password": "!",
        },
    )
    return user


def system_user() -> User:
    """The internal actor for changes nobody in particular made (scrips, periodic jobs)."""
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_system": True,
            "real_name": "The tracker itself",
            "password": "!",
        },
    )
    return user
