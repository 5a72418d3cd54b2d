"""A user's own auth tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.api import inputs
from tracker.api.base import ApiView, api_url, format_date, paginate
from tracker.errors import ValidationFailed
from tracker.models import AuthToken
from tracker.services import tokens as token_services


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
        tokens = token_services.tokens_of(user=request.user, actor=request.user)
        return Response(paginate(request, tokens, lambda t: token_record(request, t)))

    def post(self, request: Request) -> Response:
        data = self.json_object(request)
        unknown = sorted(set(data) - {"Description", "Expires"})
        if unknown:
            raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.")
        description = inputs.text(
            "Description", data.get("Description"), allow_empty=False
        )
        expires = inputs.date("Expires", data.get("Expires"), request.user)
        token, secret = token_services.create_token(
            user=request.user,
            actor=request.user,
            description=description,
            expires=expires,
        )
        # The only time the secret is ever shown.
        body = {**token_record(request, token), "token": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenView(ApiView):
    """GET, DELETE /token/:id (the caller's own tokens only)."""

    def get(self, request: Request, pk: int) -> Response:
        token = token_services.get_token_for(actor=request.user, pk=pk)
        return Response(token_record(request, token))

    def delete(self, request: Request, pk: int) -> Response:
        token = token_services.get_token_for(actor=request.user, pk=pk)
        token_services.revoke_token(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
