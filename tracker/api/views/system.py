"""System information: GET /rt."""

from __future__ import annotations

from importlib import metadata

from rest_framework.request import Request
from rest_framework.response import Response

from tracker.api.base import ApiView


def tracker_version() -> str:
    try:
        return metadata.version("tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


class SystemView(ApiView):
    """GET /rt — the server's version and plugins (none)."""

    def get(self, request: Request) -> Response:
        return Response({"Version": tracker_version(), "Plugins": []})
