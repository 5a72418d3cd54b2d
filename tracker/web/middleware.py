"""Turns domain errors raised below a view into a readable 4xx answer."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation

from tracker.errors import DomainError

logger = logging.getLogger(__name__)


class DomainErrorMiddleware:
    """Answers a `tracker.errors.DomainError` with its status code and message.

    HTML by default, `{"error": message}` when the client prefers JSON. Other
    exceptions pass through to Django's handlers (500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = exception.status_code
        logger.info(
            "%s on %s %s: %s",
            type(exception).__name__,
            request.method,
            request.path,
            exception.message,
        )
        if _prefers_json(request):
            return JsonResponse({"error": exception.message}, status=status)
        return render(
            request,
            "errors/domain_error.html",
            {"message": exception.message, "status": status},
            status=status,
        )


def _prefers_json(request: HttpRequest) -> bool:
    # Browsers send */* as well, so ask which type ranks first, not which is accepted.
    return (
        request.get_preferred_type(["text/html", "application/json"])
        == "application/json"
    )


class UserPreferencesMiddleware:
    """Shows dates in the user's time zone and pages in the user's language.

    Goes after AuthenticationMiddleware. An unknown zone or language falls back to
    the site defaults rather than failing the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        is_known = bool(user is not None and user.is_authenticated)
        zone = getattr(user, "time_zone", "") if is_known else ""
        language = getattr(user, "language", "") if is_known else ""
        try:
            timezone.activate(
                zoneinfo.ZoneInfo(zone)
            ) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()
