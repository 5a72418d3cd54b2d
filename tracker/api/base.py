"""What every endpoint shares: the view base class, references, dates and paging."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request
from rest_framework.views import APIView

from tracker.errors import ValidationFailed

# RT writes an unset date as the epoch; clients written for RT expect that string.
UNSET_DATE = "1970-01-01T00:00:00Z"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class RecordSchema(AutoSchema):
    """Documents endpoints as free-form JSON objects: the records are built by hand to
    match RT's field names, not by DRF serializers."""

    def get_request_serializer(self) -> Any:
        return OpenApiTypes.OBJECT

    def get_response_serializers(self) -> Any:
        return OpenApiTypes.OBJECT


def reject_nul(value: Any) -> None:
    """PostgreSQL cannot store NUL characters in text: refuse them up front (400).

    Walks with an explicit stack: JSON nested hundreds deep must not exhaust recursion.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValidationFailed("Text may not contain NUL characters.")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


class ApiView(APIView):
    schema = RecordSchema()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        reject_nul(kwargs)
        for key, values in request.query_params.lists():
            reject_nul([key, *values])
        if request.method in ("POST", "PUT", "PATCH"):
            data = request.data
            if hasattr(data, "lists"):
                for key, values in data.lists():
                    reject_nul([key, *(v for v in values if isinstance(v, str))])
            else:
                reject_nul(data)

    def json_object(self, request: Request) -> dict[str, Any]:
        """The request body, which must be a JSON object (or form fields)."""
        data = request.data
        if hasattr(data, "dict"):  # a QueryDict from a form or multipart body
            data = data.dict()
        if not isinstance(data, dict):
            raise ValidationFailed("The request body must be a JSON object.")
        return data

    def json_list(self, request: Request) -> list[Any]:
        data = request.data
        if not isinstance(data, list):
            raise ValidationFailed("The request body must be a JSON array.")
        return data


# --- URLs and references ----------------------------------------------------------------


def api_base(request: Request) -> str:
    base = getattr(request, "_api_base", None)
    if base is None:
        base = request.build_absolute_uri(reverse("api:rt"))[: -len("rt")]
        request._api_base = base
    return base


def api_url(request: Request, *parts: object) -> str:
    return api_base(request) + "/".join(quote(str(p), safe="@") for p in parts)


def ref(request: Request, kind: str, key: object) -> dict[str, Any]:
    """RT's reference to another record: `{"type", "id", "_url"}`."""
    return {"type": kind, "id": str(key), "_url": api_url(request, kind, key)}


def user_ref(request: Request, user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return ref(request, "user", user.username)


def link(request: Request, name: str, *parts: object, **extra: Any) -> dict[str, Any]:
    """One `_hyperlinks` entry."""
    return {"ref": name, **extra, "_url": api_url(request, *parts)}


def format_date(value: datetime | None) -> str:
    if value is None:
        return UNSET_DATE
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Paging -------------------------------------------------------------------------------


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return value if value > 0 else default


def paginate(
    request: Request,
    queryset: QuerySet | Sequence,
    render: Callable[[Any], dict[str, Any]],
    *,
    prepare: Callable[[list], None] | None = None,
) -> dict[str, Any]:
    """RT's collection: total, count, page, pages, per_page, next/prev page URLs, items.

    `prepare` receives the page's objects before rendering, to load related rows in bulk.
    """
    params = request.query_params
    per_page = min(
        _positive_int(params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE
    )
    page = min(_positive_int(params.get("page"), 1), 10**9)  # OFFSET must fit in SQL
    total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    pages = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    objects = list(queryset[start : start + per_page])
    if prepare is not None and objects:
        prepare(objects)
    body: dict[str, Any] = {
        "total": total,
        "count": len(objects),
        "page": page,
        "pages": pages,
        "per_page": per_page,
    }
    if page < pages:
        body["next_page"] = _page_url(request, page + 1)
    if page > 1:
        body["prev_page"] = _page_url(request, min(page - 1, pages))
    body["items"] = [render(obj) for obj in objects]
    return body


def _page_url(request: Request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path) + "?" + params.urlencode()


def requested_fields(request: Request) -> list[str]:
    raw = request.query_params.get("fields", "")
    return [name.strip() for name in raw.split(",") if name.strip()]
