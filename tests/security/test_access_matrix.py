"""Every route x every role: no marker of an object the role may not see, anywhere.

Routes come from Django's resolver (web pages, admin, REST 2.0, REST 1.0, the mail
gateway endpoint); the roles are anonymous, customer A, customer B, staff without
rights on the queue, staff with rights, an admin and an API token. Pages, API answers,
search results and CSV exports, attachments and history are all just responses here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.reliability.figures import record
from tests.security.conftest import MISSING_ID, World
from tests.security.routes import all_routes, targets

pytestmark = [pytest.mark.django_db, pytest.mark.security]

ROLES = [
    "anonymous",
    "customer_a",
    "customer_b",
    "staff_no_rights",
    "staff_with_rights",
    "admin",
    "api_token",
]
# Roles that may change none of the tickets they cannot see.
_NOT_ALLOWED_TICKETS = {
    "anonymous": ("ta", "tb", "tv"),
    "customer_a": ("tb", "tv"),
    "api_token": ("tb", "tv"),
    "customer_b": ("ta", "tv"),
    "staff_no_rights": ("ta", "tb"),
}
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
# Posts that end the session or the test's own account are left out of the write pass.
_NO_POST = ("/accounts/logout/", "/REST/1.0/logout", "/admin/logout/")


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "api_token":
        return Client(
            raise_request_exception=False,
            HTTP_AUTHORIZATION=f"token {world.token_secret_a}",
        )
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        if not hasattr(response, "_read"):
            response._read = b"".join(response.streaming_content)
        return response._read
    return response.content


def body_of(response) -> bytes:
    content = content_of(response)
    headers = "\n".join(f"{k}: {v}" for k, v in response.items()).encode()
    return headers + b"\n" + content


def leaks_in(response, forbidden: set[str]) -> set[str]:
    text = body_of(response).decode("utf-8", "replace").lower()
    return {marker for marker in forbidden if marker in text}


def _check(world: World, role: str, method: str) -> tuple[int, list[str]]:
    client = client_for(world, role)
    forbidden = world.forbidden_markers(role)
    problems: list[str] = []
    count = 0
    for target in targets(world):
        if method == "POST" and (
            target.url.startswith(("/admin/", *_NO_POST)) or role == "admin"
        ):
            continue
        if method == "GET":
            response = client.get(target.url)
        else:
            response = client.post(
                target.url,
                {
                    "body": "mkattacker",
                    "content": "mkattacker",
                    "kind": "reply",
                    "status": "resolved",
                },
            )
        count += 1
        if response.status_code >= 500:
            problems.append(f"{method} {target.url}: {response.status_code}")
        leaked = leaks_in(response, forbidden)
        if leaked:
            problems.append(f"{method} {target.url} showed {sorted(leaked)}")
    return count, problems


@pytest.mark.parametrize("role", ROLES)
def test_no_route_shows_a_role_what_it_may_not_see(world, role):
    count, problems = _check(world, role, "GET")

    record("access", "requests checked", count)
    record("access", "leaks found", len(problems))
    assert count > 100
    assert problems == []


@pytest.mark.parametrize("role", sorted(_NOT_ALLOWED_TICKETS))
def test_no_post_changes_or_reveals_a_ticket_the_role_may_not_see(world, role):
    seeded = {name: getattr(world, name) for name in ("ta", "tb", "tv")}
    before = {
        name: (s.ticket.transactions.count(), s.ticket.status)
        for name, s in seeded.items()
    }

    count, problems = _check(world, role, "POST")

    for name in _NOT_ALLOWED_TICKETS[role]:
        ticket = seeded[name].ticket
        ticket.refresh_from_db()
        after = (ticket.transactions.count(), ticket.status)
        if after != before[name]:
            problems.append(f"{name} changed by {role}: {before[name]} -> {after}")
    record("access", "requests checked", count)
    record("access", "leaks found", len(problems))
    assert problems == []


def _normalised(response, ticket_id: int) -> tuple[int, bytes]:
    content = _CSRF.sub(b"CSRF", content_of(response))
    content = re.sub(rb"(?<!\d)%d(?!\d)" % ticket_id, b"ID", content)
    content = re.sub(rb"(?<!\d)%d(?!\d)" % MISSING_ID, b"ID", content)
    return response.status_code, content


@pytest.mark.parametrize(
    "role", ["anonymous", "customer_a", "customer_b", "staff_no_rights", "api_token"]
)
def test_forbidden_ticket_answers_like_a_missing_one(world, role):
    client = client_for(world, role)
    hidden = {
        "customer_a": world.tb.pk,
        "api_token": world.tb.pk,
        "customer_b": world.ta.pk,
        "staff_no_rights": world.ta.pk,
        "anonymous": world.tv.pk,
    }[role]
    by_url = {t.url: t for t in targets(world)}
    differences = []
    compared = 0
    for target in by_url.values():
        if target.ticket_id != hidden or target.url.startswith("/admin/"):
            continue
        twin = target.url.replace(str(hidden), str(MISSING_ID))
        if twin == target.url or twin not in by_url:
            continue
        forbidden = client.get(target.url)
        missing = client.get(twin)
        compared += 1
        a, b = _normalised(forbidden, hidden), _normalised(missing, hidden)
        if a != b:
            differences.append(f"{target.url}: {a[0]} vs {b[0]}")

    record("access", "forbidden-vs-missing pairs", compared)
    assert compared > 10
    assert differences == []


def test_every_route_pattern_is_requested(world):
    requested = {t.route for t in targets(world)}

    assert requested == set(all_routes())
    record("access", "routes", len(requested))
    record("access", "roles", len(ROLES))


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("customer_a", ["ta"]),
        ("customer_b", ["tb"]),
        ("staff_no_rights", ["tv"]),
        ("staff_with_rights", ["ta", "tb"]),
    ],
)
def test_cve_2023_45024_search_counts_match_the_tickets_the_role_may_see(
    world, role, visible
):
    client = client_for(world, role)

    answer = client.get("/REST/2.0/tickets", {"query": "Subject LIKE 'mk'"}).json()

    expected = sorted(getattr(world, name).pk for name in visible)
    assert sorted(int(item["id"]) for item in answer["items"]) == expected
    assert answer["count"] == len(expected)
    assert answer.get("total", len(expected)) == len(expected)
