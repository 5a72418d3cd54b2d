"""RT-style error bodies: every failure is `{"message": "..."}` with a 4xx status."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from tracker.errors import DomainError

logger = logging.getLogger(__name__)

NOT_FOUND = "Resource does not exist"


class PreconditionFailed(DomainError):
    """A conditional request (If-Match, If-Unmodified-Since) about a stale copy."""

    status_code = 412


UNAUTHORIZED = "Unauthorized"


def _flatten(detail: Any) -> str:
    """One readable line from DRF's nested error details."""
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: domain errors and DRF's own, as `{"message": ...}`."""
    if isinstance(exc, DomainError):
        request = context.get("request")
        logger.info(
            "%s on %s %s: %s",
            type(exc).__name__,
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc.message,
        )
        return Response({"message": exc.message}, status=exc.status_code)
    if isinstance(exc, Http404):
        return Response({"message": NOT_FOUND}, status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"message": "Forbidden"}, status=403)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django answer 500 and log the traceback
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        message = UNAUTHORIZED
    else:
        message = _flatten(exc.detail)
    return Response({"message": message}, status=exc.status_code, headers=headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under the API that matches no endpoint."""
    return JsonResponse({"message": NOT_FOUND}, status=404)
