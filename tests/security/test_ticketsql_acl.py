"""TicketSQL fuzzing through the REST API and the search page, under each role.

Whatever the query, the answer is a result or a 4xx, never a 500, and no ticket
outside the role's view appears in the items or in the count (RT 2011 TicketSQL
batch: watcher sub-fields such as Requestor.Password, OrderBy/GroupBy injection;
RT CVE-2023-45024 and REST2 counts before ACL; RT CVE-2011-4460 paging params).
The quick run is part of `make test`; `make reliability` runs thousands of cases.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.figures import record
from tests.security.test_access_matrix import client_for
from tests.ticketsql.test_fuzz import conditions, token_soup
from tracker.queries import visible_tickets

pytestmark = [pytest.mark.django_db]

ROLES = [
    "customer_a",
    "customer_b",
    "staff_no_rights",
    "staff_with_rights",
    "api_token",
]
PROBES = [
    "Requestor.Password LIKE 'a'",
    "Requestor.Password IS NOT NULL",
    "Owner.Password LIKE '$'",
    "Requestor.Comments LIKE 'x'",
    "Requestor.AuthToken LIKE 'a'",
    "Requestor.id = 1; DROP TABLE tracker_ticket",
    "Subject LIKE 'mk' OR 1=1",
    "Subject LIKE 'mk' OR '1'='1'",
    "id > 0 UNION SELECT password FROM tracker_user",
    "Queue = 'Vault'",
    "Queue = 'General' OR Queue = 'Vault'",
    "Content LIKE 'mk'",
    "Filename LIKE 'mk'",
    "CF.{x} LIKE 'a' OR id > 0",
    "Watcher.EmailAddress LIKE 'mk'",
    "Requestor.EmailAddress LIKE 'mkcust'",
    "id IN (" + ",".join(str(n) for n in range(1, 3000)) + ")",
]
ORDER_BY = st.sampled_from(
    [
        "id",
        "Subject",
        "Requestor.Password",
        "id; DROP TABLE x",
        "(SELECT 1)",
        "Owner.Password",
        "CF.{x}",
        "",
    ]
)
PAGING = st.sampled_from(["1", "0", "-1", "20", "1e9", "abc", "99999999999999999999"])
QUERIES = st.one_of(conditions, token_soup, st.sampled_from(PROBES))


def _visible(world, role: str) -> set[int]:
    user = world.user(role)
    return set(visible_tickets(user).values_list("pk", flat=True))


def _check_api(
    client: Client, query: str, order: str, page: str, visible: set[int], found: dict
) -> int:
    """One API search; what went wrong is added to `found` (errors, leaks)."""
    response = client.get(
        "/REST/2.0/tickets",
        {"query": query, "orderby": order, "per_page": page, "page": page},
    )
    if response.status_code >= 500:
        found["5xx"].append((query, order, page))
        return 1
    if response.status_code != 200:
        return 0
    answer = response.json()
    ids = {int(item["id"]) for item in answer.get("items", [])}
    if not ids <= visible:
        found["leaks"].append((query, ids - visible))
    for key in ("count", "total"):
        if answer.get(key) is not None and answer[key] > len(visible):
            found["leaks"].append((query, key, answer[key]))
    return 1


def _check_web(client: Client, query: str, order: str, world, role: str, found: dict):
    response = client.get(
        "/search/", {"q": query, "order_by": order, "rows": "50", "format": "csv"}
    )
    if response.status_code >= 500:
        found["5xx"].append((query, order))
        return
    if response.status_code == 200 and response.get("Content-Type", "").startswith(
        "text/csv"
    ):
        text = b"".join(response.streaming_content).decode().lower()
        found["leaks"] += [
            (query, marker)
            for marker in world.forbidden_markers(role)
            if marker in text
        ]


def fuzz(world, role: str, examples: int) -> int:
    client = client_for(world, role)
    visible = _visible(world, role)
    staff = role.startswith("staff")
    runs = []
    found: dict[str, list] = {"5xx": [], "leaks": []}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=QUERIES, order=ORDER_BY, page=PAGING)
    def one(query: str, order: str, page: str) -> None:
        runs.append(_check_api(client, query, order, page, visible, found))
        if staff:
            _check_web(client, query, order, world, role, found)

    one()
    for probe in PROBES:
        runs.append(_check_api(client, probe, "id", "20", visible, found))
    record("ticketsql", "queries run", len(runs))
    record("ticketsql", "results outside the ACL", len(found["leaks"]))
    record("ticketsql", "5xx answers", len(found["5xx"]))
    assert found == {"5xx": [], "leaks": []}
    return len(runs)


@pytest.mark.parametrize("role", ROLES)
def test_ticketsql_never_fails_or_leaks_quick(world, role):
    assert fuzz(world, role, examples=40) >= 40


@pytest.mark.reliability
@pytest.mark.parametrize("role", ROLES)
def test_ticketsql_never_fails_or_leaks_thousands(world, role):
    assert fuzz(world, role, examples=1000) >= 1000


@pytest.mark.security
def test_rt_2011_ticketsql_private_user_fields_are_no_boolean_oracle(world):
    client = client_for(world, "staff_with_rights")
    answers = set()
    for probe in ("Requestor.Password LIKE 'a'", "Requestor.Password NOT LIKE 'a'"):
        response = client.get("/REST/2.0/tickets", {"query": probe})
        body = response.json() if response.status_code == 200 else {}
        answers.add((response.status_code, body.get("count")))

    # Either refused outright, or the field matches nothing either way round.
    assert answers in ({(400, None)}, {(200, 0)})
