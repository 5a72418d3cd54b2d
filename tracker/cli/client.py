"""A small REST 2.0 client over urllib: JSON in, JSON out, errors as ApiError."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

API_PREFIX = "/REST/2.0/"
USER_AGENT = "tracker-cli/0.1"


class ApiError(Exception):
    """The server answered with an error status (or could not be reached: status 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Client:
    def __init__(self, url: str, token: str, *, timeout: float = 60) -> None:
        self.base = url.rstrip("/") + API_PREFIX
        self.token = token
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        url = self.base + path.lstrip("/")
        if params:
            url += "?" + urllib.parse.urlencode(
                {k: v for k, v in params.items() if v not in (None, "")}
            )
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - URL from the user's own config
        request.add_header("Authorization", f"token {self.token}")
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", USER_AGENT)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, _message(error.read(), error.reason)) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ApiError(0, f"cannot reach {self.base}: {reason}") from None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(0, "the server did not answer with JSON") from None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body={} if body is None else body)

    def pages(
        self, path: str, *, limit: int | None = None, **params: Any
    ) -> Iterator[dict]:
        """Every item of a paged collection, following `page` until `limit` or the end."""
        page, seen = 1, 0
        per_page = min(limit or 100, 100)
        while True:
            result = self.get(path, page=page, per_page=per_page, **params)
            for item in result.get("items", []):
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return
            if not result.get("next_page") or not result.get("items"):
                return
            page += 1


def _message(raw: bytes, fallback: str) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return str(fallback)
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return str(fallback)
