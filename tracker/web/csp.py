"""A Content-Security-Policy header on every response that does not set its own.

The pages use no inline script or style (behaviour hooks on data-* attributes in
static/js/tracker.js, htmx runs with eval off), so the policy allows scripts and
styles from our own origin only. Even if some text slipped through escaping, the
browser would refuse to run it. Views with stricter needs (attachment downloads:
`default-src 'none'; sandbox`) set their own header, which is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# The API's Swagger and ReDoc pages start their bundles with an inline script. They
# show only the schema (no ticket data), so they alone may run inline script.
DOCS_POLICY = DEFAULT_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("img-src 'self' data:", "img-src 'self' data: blob:")
DOCS_PATHS = ("/REST/2.0/docs/", "/REST/2.0/redoc/")


def policy_for(path: str) -> str:
    if path.startswith(DOCS_PATHS):
        return getattr(settings, "TRACKER_CSP_DOCS", DOCS_POLICY)
    return getattr(settings, "TRACKER_CSP", DEFAULT_POLICY)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path_info)
        return response
