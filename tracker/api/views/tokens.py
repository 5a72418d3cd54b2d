"""A user's own auth tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import rights
from tracker.api import inputs
from tracker.api.authentication import issue_token, revoke_token
from tracker.api.base import ApiView, api_url, format_date, paginate
from tracker.errors import NotFound, ValidationFailed
from tracker.models import AuthToken, User


def _require_manage(user: User) -> None:
    rights.require(user, rights.MANAGE_AUTH_TOKENS)


def token_record(request: Request, token: AuthToken) -> dict[str, Any]:
    return {
        "type": "token",
        "id": token.pk,
        "_url": api_url(request, "token", token.pk),
        "Description": token.description,
        "Created": format_date(token.created),
        "LastUsed": format_date(token.last_used),
        "Expires": format_date(token.expires),
    }


class TokensView(ApiView):
    """GET /tokens (the caller's own); POST /tokens {Description, Expires}."""

    def get(self, request: Request) -> Response:
        _require_manage(request.user)
        tokens = AuthToken.objects.filter(user=request.user).order_by("-created", "-id")
        return Response(paginate(request, tokens, lambda t: token_record(request, t)))

    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        data = self.json_object(request)
        unknown = sorted(set(data) - {"Description", "Expires"})
        if unknown:
            raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
        description = inputs.text(
            "Description", data.get("Description"), allow_empty=False
        )
        if len(description) > 200:
            raise ValidationFailed("Description is longer than 200 characters.")
        expires = inputs.date("Expires", data.get("Expires"), request.user)
        token, secret = issue_token(
            user=request.user, description=description.strip(), expires=expires
        )
        # The only time the secret is ever shown.
        body = {**token_record(request, token), "token": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenView(ApiView):
    """GET, DELETE /token/:id (the caller's own tokens only)."""

    def _token(self, request: Request, pk: int) -> AuthToken:
        _require_manage(request.user)
        token = AuthToken.objects.filter(pk=pk, user=request.user).first()
        if token is None:
            raise NotFound(f"No token #{pk}.")
        return token

    def get(self, request: Request, pk: int) -> Response:
        return Response(token_record(request, self._token(request, pk)))

    def delete(self, request: Request, pk: int) -> Response:
        revoke_token(token=self._token(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
