"""Auth tokens for REST clients: each user creates and revokes their own.

Only a hash of the secret is stored (`tracker.models.tokens.hash_token`); the secret
itself is returned once, by `create_token`, and never again.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tracker import rights
from tracker.errors import NotFound, ValidationFailed
from tracker.models import AuthToken, User
from tracker.models.tokens import hash_token

MAX_DESCRIPTION = 200


def issue_token(
    *, user: User, description: str, expires: datetime | None = None
) -> tuple[AuthToken, str]:
    """Write a token for `user` without any rights check; returns it with its secret.

    For trusted callers only (management commands, test fixtures); clients go through
    `create_token`, which checks the actor's rights first.
    """
    secret = secrets.token_urlsafe(32)
    token = AuthToken.objects.create(
        user=user,
        description=description,
        token_hash=hash_token(secret),
        expires=expires,
    )
    return token, secret


def _require_may_manage(actor: User, owner: User) -> None:
    """Own tokens need ManageAuthTokens; somebody else's need AdminUsers."""
    if actor.pk == owner.pk:
        rights.require(actor, rights.MANAGE_AUTH_TOKENS)
    else:
        rights.require(actor, rights.ADMIN_USERS)


@transaction.atomic
def create_token(
    *,
    user: User,
    actor: User,
    description: str,
    expires: datetime | None = None,
) -> tuple[AuthToken, str]:
    """Create a token for `user` on behalf of `actor`; returns it with its secret.

    Raises PermissionDenied without ManageAuthTokens (own) or AdminUsers (another
    user's), ValidationFailed for an empty or overlong description or a past expiry.
    """
    _require_may_manage(actor, user)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("A token needs a description.")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"Description is longer than {MAX_DESCRIPTION} characters."
        )
    if expires is not None and expires <= timezone.now():
        raise ValidationFailed("The expiry date is in the past.")
    return issue_token(user=user, description=description, expires=expires)


def tokens_of(*, user: User, actor: User) -> list[AuthToken]:
    """`user`'s tokens, newest first, as `actor` may list them."""
    _require_may_manage(actor, user)
    return list(AuthToken.objects.filter(user=user).order_by("-created", "-id"))


def get_token_for(*, actor: User, pk: int) -> AuthToken:
    """One of `actor`'s own tokens; NotFound for another user's or a missing one."""
    rights.require(actor, rights.MANAGE_AUTH_TOKENS)
    token = AuthToken.objects.filter(pk=pk, user=actor).first()
    if token is None:
        raise NotFound(f"No token #{pk}.")
    return token


@transaction.atomic
def revoke_token(*, token: AuthToken, actor: User) -> None:
    """Revoke by deleting the row: nothing is left that could authenticate."""
    owner = User.objects.get(pk=token.user_id)
    _require_may_manage(actor, owner)
    AuthToken.objects.filter(pk=token.pk).delete()
