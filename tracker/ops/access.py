"""Who may read /metrics: a bearer token (METRICS_TOKEN) or a client address in
METRICS_ALLOWED_IPS. With neither configured, only loopback may."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

LOOPBACK = ("127.0.0.0/8", "::1/128")


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    configured = settings.METRICS_ALLOWED_IPS or (
        [] if settings.METRICS_TOKEN else LOOPBACK
    )
    return [ipaddress.ip_network(net, strict=False) for net in configured]


def _has_token(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )


def _from_allowed_address(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks())


def may_read_metrics(request: HttpRequest) -> bool:
    """A valid token, or an address on the allow-list, is enough."""
    return _has_token(request) or _from_allowed_address(request)
