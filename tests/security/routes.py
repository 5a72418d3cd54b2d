"""Every URL the project serves, made concrete with the ids of the seeded world.

The URL patterns are read from Django's resolver, so a route added later is requested
too. A parameter this module knows nothing about gets a low id and a missing one;
extend `_values` to give a new route the seeded objects it should be tried with.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.conftest import MISSING_ID, World
from tracker.models import Attachment, AuthToken, Ticket, Transaction

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Target:
    route: str  # the pattern, for reports
    url: str  # a concrete path with query string
    ticket_id: int | None  # the ticket the URL names, if any


def walk(patterns: list | None = None, prefix: str = "") -> Iterator[str]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def all_routes() -> list[str]:
    return list(dict.fromkeys(walk()))


def _file_attachment(ticket_id: int) -> int:
    return (
        Attachment.objects.filter(transaction__ticket_id=ticket_id)
        .exclude(filename="")
        .values_list("pk", flat=True)
        .first()
    )


def _values(world: World, route: str, name: str) -> list[tuple[object, int | None]]:
    """(value, ticket id it stands for) pairs to try for one parameter."""
    tickets = [world.ta.pk, world.tb.pk, world.tv.pk]
    low = route.lower()
    if name in ("pk", "number") and "transaction/" in low:
        rows = Transaction.objects.filter(ticket_id__in=tickets)
        return [(t.pk, t.ticket_id) for t in rows] + [(MISSING_ID, MISSING_ID)]
    if name == "pk" and "attachment/" in low and "ticket" not in low:
        pairs = [(_file_attachment(t), t) for t in tickets]
        return [*pairs, (MISSING_ID, MISSING_ID)]
    if name in ("pk", "number") and "ticket" in low:
        return [(t, t) for t in [*tickets, MISSING_ID]]
    if name == "attachment_id":
        return [(_file_attachment(t), None) for t in tickets]
    if name == "into":
        return [(world.ta.pk, None)]
    if name == "pk" and "group" in low:
        return [(world.group_id, None)]
    if name == "member_id":
        return [(world.staff_general.pk, None)]
    if name in ("pk", "field_id") and "customfield" in low:
        return [(1, None), (MISSING_ID, None)]
    if name == "value_id":
        return [(1, None)]
    if name == "pk" and "token" in low:
        return [(pk, None) for pk in AuthToken.objects.values_list("pk", flat=True)]
    if name in ("user_id", "key", "name") and ("user" in low or "people" in low):
        people = [world.customer_a, world.customer_b, world.staff_general]
        if "<str:" in route:
            return [(u.username, None) for u in people]
        return [(u.pk, None) for u in people]
    if name == "key" and "queue" in low:
        return [(world.vault.name if "<str:" in route else world.vault.pk, None)]
    if name == "uidb64":
        return [("MQ", None)]
    if name == "token":
        return [("set-password", None)]
    if name == "id" and "admin/" in low:
        return [(world.customer_b.pk, None)]
    if name == "content_type_id":
        return [(ContentType.objects.get_for_model(Ticket).pk, None)]
    if name == "object_id":
        return [(world.ta.pk, world.ta.pk)]
    # Anything else (admin pages, objects owned by one person): a low id and a missing
    # one. The marker check still applies to whatever they answer.
    return [(1, None), (MISSING_ID, None)]


def _regex_paths(world: World, route: str) -> list[tuple[str, int | None]]:
    if "(?P<app_label>" in route:
        return [(route.split("^")[0] + "tracker/", None)]
    if route.endswith(("^.*$", "(?P<url>.*)$")):
        return [(re.sub(r"\^?\(\?P<url>\.\*\)\$$|\^\.\*\$$", "", route) + "nope", None)]
    if "(?P<rest>" in route:
        prefix = route.split("^")[0]
        paths = []
        for ticket in (world.ta, world.tb, world.tv):
            att = _file_attachment(ticket.pk)
            for rest in (
                "show",
                "history",
                "attachments",
                "links",
                f"attachments/{att}",
            ):
                paths.append((f"{prefix}ticket/{ticket.pk}/{rest}", ticket.pk))
            paths.append(
                (f"{prefix}ticket/{ticket.pk}/attachments/{att}/content", ticket.pk)
            )
        return paths
    raise AssertionError(f"no example path for the regex route {route!r}")


def _queries(world: World, path: str) -> list[tuple[str, int | None]]:
    ids = [world.ta.pk, world.tb.pk, world.tv.pk, MISSING_ID]
    searches = ["id > 0", "Subject LIKE 'mk'", "Content LIKE 'mk'"]
    if path == "/search/":
        return [("q=" + q, None) for q in searches] + [("q=id > 0&format=csv", None)]
    if path == "/REST/2.0/tickets":
        return [("query=" + q, None) for q in searches] + [("", None)]
    if path == "/REST/1.0/search/ticket":
        return [(f"query={q}&format={f}", None) for q in searches for f in "lsi"]
    if path == "/Search/Results.html":
        return [("Query=" + q, None) for q in searches]
    if path in ("/Ticket/Display.html", "/SelfService/Display.html"):
        return [(f"id={i}", i) for i in ids]
    if path in ("/REST/1.0/show", "/REST/1.0/ticket/show"):
        return [
            (f"id=ticket/{i}{suffix}", i)
            for i in ids
            for suffix in ("", "/history", "/attachments", "/comments")
        ]
    if path in ("/REST/2.0/users", "/REST/2.0/users/privileged"):
        return [("", None), ("query=mk", None)]
    return [("", None)]


def targets(world: World) -> list[Target]:
    found: list[Target] = []
    for route in all_routes():
        if "(?P<" in route or route.endswith("^.*$"):
            paths = _regex_paths(world, route)
        else:
            names = [m.group(2) for m in _PARAM.finditer(route)]
            choices = [_values(world, route, n) for n in names]
            paths = []
            for combo in itertools.product(*choices):
                path = route
                ticket_id = None
                for value, tid in combo:
                    path = _PARAM.sub(lambda _m, v=value: str(v), path, count=1)
                    ticket_id = tid if tid is not None else ticket_id
                paths.append((path, ticket_id))
        for path, ticket_id in paths:
            full = "/" + path
            for query, query_ticket in _queries(world, full):
                url = f"{full}?{query}" if query else full
                found.append(Target(route, url, query_ticket or ticket_id))
    return found
