"""The data set of a run: generated tickets, plus the benchmark's own staff user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client as DjangoClient

from queues.models import Queue
from tracker.management.bulk import Result, Scale, generate
from tracker.models import AuthToken, Ticket, User
from tracker.models.tokens import hash_token

SCALES = {"tiny": 1_000, "small": 10_000, "medium": 100_000, "large": 1_000_000}
MAIL_ADDRESS = "general@bench.example"
PASSWORD = "bench-" + "password"


@dataclass
class Fixture:
    user: User
    password: str
    token: str
    session_cookie: str
    queue: Queue
    normal_ticket: int
    long_ticket: int
    long_length: int


def build(scale: str, progress: object = None) -> Result:
    tickets = SCALES[scale]
    return generate(
        Scale(tickets=tickets, users=min(10_000, max(1_000, tickets)), long_tickets=3),
        progress,  # type: ignore[arg-type]
    )


def fixture() -> Fixture:
    """A generated staff member (rights on every bench queue, owner of many tickets) given
    a password, a token and a web session; and the tickets the page benchmarks open."""
    owner_id = (
        Ticket.objects.filter(
            owner__is_privileged=True, owner__username__contains="-staff"
        )
        .values("owner")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("owner", flat=True)
        .first()
    )
    user = User.objects.get(pk=owner_id)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    secret = secrets.token_urlsafe(32)
    AuthToken.objects.create(
        user=user, description="bench", token_hash=hash_token(secret)
    )
    web = DjangoClient()
    web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = web.cookies[settings.SESSION_COOKIE_NAME].value
    # Tickets of the same generated batch as the user, so that the user may see them.
    prefix = user.username.rsplit("-staff", 1)[0] + "-%"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x.ticket_id, count(*) FROM tracker_transaction x "
            "JOIN tracker_ticket t ON t.id = x.ticket_id "
            "JOIN queues_queue q ON q.id = t.queue_id WHERE q.name LIKE %s "
            "GROUP BY x.ticket_id ORDER BY count(*) DESC LIMIT 1",
            [prefix],
        )
        long_id, long_length = cursor.fetchone()
        cursor.execute(
            "SELECT x.ticket_id FROM tracker_transaction x "
            "JOIN tracker_ticket t ON t.id = x.ticket_id "
            "JOIN queues_queue q ON q.id = t.queue_id WHERE q.name LIKE %s "
            "GROUP BY x.ticket_id HAVING count(*) BETWEEN 8 AND 12 ORDER BY x.ticket_id LIMIT 1",
            [prefix],
        )
        normal_id = cursor.fetchone()[0]
    queue = Ticket.objects.get(pk=normal_id).queue
    # Mail for the benchmarks goes to General, where Everyone may create tickets (as in
    # RT); LMTP finds the queue by its address.
    Queue.objects.filter(name="General").update(correspond_address=MAIL_ADDRESS)
    return Fixture(
        user=user,
        password=PASSWORD,
        token=secret,
        session_cookie=cookie,
        queue=queue,
        normal_ticket=normal_id,
        long_ticket=long_id,
        long_length=long_length,
    )
