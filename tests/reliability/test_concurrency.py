"""Many people on one ticket at the same moment, on PostgreSQL with real threads.

Nothing is lost, nothing is silently overwritten, and a lost race is answered with a
clear 409, never a 500 (../shared/reliability-security.md C.3 and D16).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mailgate.services import ingest
from tests.factories import STAFF_RIGHTS, grant_many, make_staff, make_ticket, make_user
from tests.mailgate.mailbuilders import make_mail
from tests.reliability.conftest import run_at_once
from tests.reliability.figures import record
from tracker.models import Ticket, TransactionType

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.reliability]


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.TRACKER_RTNAME = "tracker"
    settings.TRACKER_MAIL_DOMAIN = "tracker.example"


def _general():
    from queues.models import Queue

    return Queue.objects.get(name="General")


def _logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_fifty_concurrent_replies_by_mail_web_and_api_are_all_stored_in_order():
    customer = make_user(username="burst", email="burst@customer.example")
    staff = make_staff(username="burststaff")
    grant_many(STAFF_RIGHTS, user=staff, queue=_general())
    ticket = make_ticket(subject="Burst", requestors=[customer])
    clients = [_logged_in(staff) for _ in range(50)]

    def by_mail(n: int):
        raw = make_mail(
            sender="Burst <burst@customer.example>",
            subject=f"Re: [tracker #{ticket.pk}] Burst",
            body=f"reply-{n}\n",
            message_id=f"<burst-{n}@customer.example>",
        )
        return ingest(raw=raw, queue="General").status

    def by_web(n: int):
        return (
            clients[n]
            .post(
                f"/ticket/{ticket.pk}/update/", {"kind": "reply", "body": f"reply-{n}"}
            )
            .status_code
        )

    def by_api(n: int):
        return (
            clients[n]
            .post(
                f"/REST/2.0/ticket/{ticket.pk}/correspond",
                json.dumps({"Content": f"reply-{n}"}),
                content_type="application/json",
            )
            .status_code
        )

    channels = [by_mail, by_web, by_api]
    jobs = [(lambda n=n: channels[n % 3](n)) for n in range(50)]
    results = run_at_once(jobs)

    replies = list(
        ticket.transactions.filter(type=TransactionType.CORRESPOND).order_by("id")
    )
    bodies = {
        a.content.strip()
        for t in replies
        for a in t.attachments.all()
        if a.content.strip().startswith("reply-")
    }
    lost = 50 - len(bodies)
    record("concurrency", "concurrent replies", 50)
    record("concurrency", "lost replies", lost)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not [r for r in results if isinstance(r, int) and r >= 500], results
    assert bodies == {f"reply-{n}" for n in range(50)}
    created = [t.created for t in replies]
    assert created == sorted(created)


def test_twenty_staff_pressing_take_at_once_leave_exactly_one_owner():
    ticket = make_ticket(subject="Who takes it?")
    crowd = []
    for n in range(20):
        person = make_staff(username=f"taker{n}")
        grant_many(STAFF_RIGHTS, user=person, queue=_general())
        crowd.append(_logged_in(person))

    def take(client: Client, n: int):
        if n % 2:
            return client.put(f"/REST/2.0/ticket/{ticket.pk}/take")
        return client.post(
            f"/ticket/{ticket.pk}/action/",
            {"owner_action": "take"},
            HTTP_ACCEPT="application/json",
        )

    results = run_at_once([lambda c=c, n=n: take(c, n) for n, c in enumerate(crowd)])

    ticket.refresh_from_db()
    statuses = sorted(r.status_code for r in results)
    winners = [r for r in results if r.status_code in (200, 302)]
    losers = [r for r in results if r.status_code not in (200, 302)]
    owner_changes = ticket.transactions.filter(field="Owner").count()
    record("concurrency", "concurrent take", 20)
    record(
        "concurrency", "lost updates", max(0, owner_changes - 1) + (len(winners) != 1)
    )
    assert len(winners) == 1, statuses
    # The service says "only unowned tickets can be taken" (400) or Conflict (409).
    assert {r.status_code for r in losers} <= {400, 409}, statuses
    assert all(b"unowned" in r.content or b"already" in r.content for r in losers)
    assert owner_changes == 1
    assert ticket.owner.username.startswith("taker")


def test_an_edit_from_a_stale_page_is_refused_and_the_first_edit_kept():
    staff_a = make_staff(username="editor_a")
    staff_b = make_staff(username="editor_b")
    for person in (staff_a, staff_b):
        grant_many(STAFF_RIGHTS, user=person, queue=_general())
    ticket = make_ticket(subject="Original subject")
    loaded = ticket.last_updated.isoformat()
    a, b = _logged_in(staff_a), _logged_in(staff_b)
    form = {
        "queue": ticket.queue_id,
        "priority": 0,
        "final_priority": 0,
        "time_estimated": 0,
        "time_worked": 0,
        "time_left": 0,
        "last_updated": loaded,
    }

    first = a.post(f"/ticket/{ticket.pk}/basics/", {**form, "subject": "A's subject"})
    second = b.post(f"/ticket/{ticket.pk}/basics/", {**form, "subject": "B's subject"})

    ticket.refresh_from_db()
    record("concurrency", "stale edits", 1)
    record("concurrency", "lost updates", int(ticket.subject != "A's subject"))
    assert first.status_code == 302
    assert second.status_code == 409
    assert "changed by" in second.content.decode()
    assert ticket.subject == "A's subject"


def test_a_storm_of_mixed_changes_never_answers_500():
    people = []
    for n in range(10):
        person = make_staff(username=f"stormer{n}")
        grant_many([*STAFF_RIGHTS, "StealTicket"], user=person, queue=_general())
        people.append(person)
    clients = [_logged_in(people[n % 10]) for n in range(40)]
    tickets = [make_ticket(subject=f"Storm {n}") for n in range(2)]

    def act(client: Client, n: int):
        ticket = tickets[n % 2]
        kind = n % 5
        if kind == 0:
            return client.put(f"/REST/2.0/ticket/{ticket.pk}/steal")
        if kind == 1:
            return client.post(f"/ticket/{ticket.pk}/action/", {"status": "open"})
        if kind == 2:
            return client.post(
                f"/REST/2.0/ticket/{ticket.pk}/comment",
                json.dumps({"Content": f"note {n}"}),
                content_type="application/json",
            )
        if kind == 3:
            return client.put(
                f"/REST/2.0/ticket/{ticket.pk}",
                json.dumps({"Priority": n}),
                content_type="application/json",
            )
        return client.post(
            f"/ticket/{ticket.pk}/update/", {"kind": "reply", "body": f"storm {n}"}
        )

    results = run_at_once([lambda n=n: act(clients[n], n) for n in range(40)])

    failures = [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
    record("concurrency", "mixed concurrent changes", 40)
    record("concurrency", "5xx answers", len(failures))
    assert failures == []
    comments = sum(
        Ticket.objects.get(pk=t.pk)
        .transactions.filter(type=TransactionType.COMMENT)
        .count()
        for t in tickets
    )
    assert comments == 8
