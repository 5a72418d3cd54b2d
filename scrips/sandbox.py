"""The only tags and filters mail templates may use: Django's defaults minus anything that
reveals the process (`debug`), loads code (`load`) or reaches other templates or URLs."""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

_BLOCKED_TAGS = {"debug", "load", "url", "csrf_token", "include", "extends", "block"}
_BLOCKED_FILTERS = {"pprint"}

register = Library()
register.tags.update(
    {k: v for k, v in defaulttags.register.tags.items() if k not in _BLOCKED_TAGS}
)
register.filters.update(
    {
        k: v
        for k, v in defaultfilters.register.filters.items()
        if k not in _BLOCKED_FILTERS
    }
)
