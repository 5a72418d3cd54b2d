"""How REST clients prove who they are: HTTP basic, auth tokens, or the web session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tracker.models import AuthToken, User
from tracker.models.tokens import hash_token
from tracker.services.tokens import issue_token

__all__ = [
    "BasicAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
    "issue_token",
]

# last_used is a hint for the owner, not an audit trail: write it at most once a minute
# so a busy script does not turn every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)
AUTH_SCHEME = "token"


class BasicAuthentication(authentication.BasicAuthentication):
    """Username and Django password. Listed first, so a 401 names the Basic scheme."""

    www_authenticate_realm = "REST API"


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's login session; unsafe methods must carry the CSRF token."""


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: token <secret>`, or `?token=<secret>` in the query string."""

    def authenticate(self, request: Request) -> tuple[User, AuthToken] | None:
        secret = self._secret_from(request)
        if secret is None:
            return None
        token = (
            AuthToken.objects.select_related("user")
            .filter(token_hash=hash_token(secret))
            .first()
        )
        now = timezone.now()
        if token is None or token.is_expired(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unauthorized")
        if token.last_used is None or now - token.last_used > LAST_USED_GRANULARITY:
            AuthToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return AUTH_SCHEME

    @staticmethod
    def _secret_from(request: Request) -> str | None:
        header = authentication.get_authorization_header(request).split()
        if header and header[0].lower() == AUTH_SCHEME.encode():
            if len(header) != 2:
                raise exceptions.AuthenticationFailed("Unauthorized")
            try:
                return header[1].decode()
            except UnicodeError:
                raise exceptions.AuthenticationFailed("Unauthorized") from None
        if header:
            return None  # another scheme (Basic) is in charge
        secret = request.query_params.get("token")
        return secret or None


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`token <secret>` (or `?token=<secret>`).",
        }


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = BasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "basic"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
