"""Users and groups as the services see them: resolving addresses to principals."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from tracker.errors import NotFound, ValidationFailed
from tracker.models import Group, User
from tracker.principals import system_user
from tracker.services.users import record_user_saved

Principal = User | Group


def get_or_create_user_for_email(address: str, real_name: str = "") -> User:
    """The user with this address, created unprivileged if unknown (as RT does for mail)."""
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationFailed(f"'{address}' is not a valid email address.") from None
    user = User.objects.filter(email__iexact=address).first()
    if user is not None:
        return user
    try:
        # A savepoint: a concurrent creation of the same address must not abort the caller.
        with transaction.atomic():
            user = User.objects.create_user(
                username=_free_username(address),
                email=address,
                real_name=real_name.strip(),
            )
            record_user_saved(user=user, before=None, actor=system_user())
            return user
    except IntegrityError:
        return User.objects.get(email__iexact=address)


def _free_username(address: str) -> str:
    base = address.lower()[:150]
    if not User.objects.filter(username=base).exists():
        return base
    suffix = 2
    while User.objects.filter(username=f"{base[:140]}-{suffix}").exists():
        suffix += 1
    return f"{base[:140]}-{suffix}"


def resolve_principal(value: Principal | str, *, create: bool = True) -> Principal:
    """A User or Group from an object, an email address, a username or 'group:Name'."""
    if isinstance(value, User | Group):
        return value
    text = str(value).strip()
    if text.lower().startswith("group:"):
        group = Group.objects.filter(name=text[6:].strip(), is_active=True).first()
        if group is None:
            raise NotFound(f"No group named '{text[6:].strip()}'.")
        return group
    user = User.objects.filter(username=text).first()
    if user is not None:
        return user
    if "@" in text:
        if create:
            return get_or_create_user_for_email(text)
        user = User.objects.filter(email__iexact=text).first()
        if user is not None:
            return user
    raise NotFound(f"No user named '{text}'.")


def resolve_user(value: User | str) -> User:
    principal = resolve_principal(value)
    if not isinstance(principal, User):
        raise ValidationFailed(f"'{value}' is a group; a user is needed here.")
    return principal
