"""A small world of people and tickets, every object carrying a unique marker string.

A marker that shows up in a response to someone who must not see its object is a leak,
whatever the page or route. Markers are lower-case, letters and digits only, so that
escaping, JSON and CSV leave them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from queues.models import Queue
from tests.factories import (
    STAFF_RIGHTS,
    grant_many,
    make_admin,
    make_group,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import services
from tracker.api.authentication import issue_token
from tracker.models import Ticket, User
from tracker.principals import system_user
from tracker.services.attachments import Upload

PASSWORD = "correct horse battery staple"
MISSING_ID = 987654


@pytest.fixture(autouse=True)
def _empty_cache():
    """Login-guard counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class SeededTicket:
    ticket: Ticket
    subject: str
    body: str
    comment: str
    attachment_text: str
    filename: str

    @property
    def pk(self) -> int:
        return self.ticket.pk

    @property
    def public_markers(self) -> set[str]:
        return {self.subject, self.body, self.attachment_text, self.filename}

    @property
    def all_markers(self) -> set[str]:
        return self.public_markers | {self.comment}


@dataclass
class World:
    general: Queue
    vault: Queue
    customer_a: User
    customer_b: User
    staff_vault: User
    staff_general: User
    admin: User
    ta: SeededTicket
    tb: SeededTicket
    tv: SeededTicket
    token_secret_a: str
    token_b_description: str
    group_id: int
    people_markers: dict[str, str] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "customer_a": self.customer_a,
            "customer_b": self.customer_b,
            "staff_no_rights": self.staff_vault,
            "staff_with_rights": self.staff_general,
            "admin": self.admin,
            "api_token": self.customer_a,
        }[role]

    def forbidden_markers(self, role: str) -> set[str]:
        """What `role` must never see, anywhere."""
        everything = self.ta.all_markers | self.tb.all_markers | self.tv.all_markers
        emails = set(self.people_markers.values())
        if role == "anonymous":
            return everything | emails | {self.token_b_description}
        if role in ("customer_a", "api_token"):
            return (everything - self.ta.public_markers) | {
                self.people_markers["customer_b"],
                self.token_b_description,
            }
        if role == "customer_b":
            return (everything - self.tb.public_markers) | {
                self.people_markers["customer_a"]
            }
        if role == "staff_no_rights":
            return (
                self.ta.all_markers | self.tb.all_markers | {self.token_b_description}
            )
        if role == "staff_with_rights":
            return self.tv.all_markers | {self.token_b_description}
        return set()


def _seed_ticket(tag: str, queue: Queue, requestor: User) -> SeededTicket:
    seeded = SeededTicket(
        ticket=None,  # type: ignore[arg-type]
        subject=f"mk{tag}subject",
        body=f"mk{tag}body",
        comment=f"mk{tag}internalcomment",
        attachment_text=f"mk{tag}attachmenttext",
        filename=f"mk{tag}file.txt",
    )
    ticket = make_ticket(
        queue=queue,
        subject=f"Help {seeded.subject}",
        body=f"Details {seeded.body}",
        requestors=[requestor],
        uploads=[
            Upload(
                filename=seeded.filename,
                content_type="text/plain",
                content=f"Log {seeded.attachment_text}".encode(),
            )
        ],
    )
    services.comment(
        ticket=ticket, actor=system_user(), body=f"Staff only: {seeded.comment}"
    )
    seeded.ticket = ticket
    return seeded


@pytest.fixture
def world(db) -> World:
    general = Queue.objects.get(name="General")
    vault = make_queue("Vault")
    customer_a = make_user(
        username="custa", email="mkcustaemail@example.net", password=PASSWORD
    )
    customer_b = make_user(
        username="custb", email="mkcustbemail@example.net", password=PASSWORD
    )
    staff_vault = make_staff(username="vaultstaff", password=PASSWORD)
    grant_many(STAFF_RIGHTS, user=staff_vault, queue=vault)
    staff_general = make_staff(username="generalstaff", password=PASSWORD)
    grant_many([*STAFF_RIGHTS, "ModifyTicket"], user=staff_general, queue=general)
    admin = make_admin(username="root")
    admin.set_password(PASSWORD)
    admin.save()
    ta = _seed_ticket("ta", general, customer_a)
    tb = _seed_ticket("tb", general, customer_b)
    tv = _seed_ticket("tv", vault, make_user(username="custc"))
    _, secret_a = issue_token(user=customer_a, description="mktokenadescription")
    issue_token(user=customer_b, description="mktokenbdescription")
    group = make_group("mkgroupname", staff_general)
    return World(
        general=general,
        vault=vault,
        customer_a=customer_a,
        customer_b=customer_b,
        staff_vault=staff_vault,
        staff_general=staff_general,
        admin=admin,
        ta=ta,
        tb=tb,
        tv=tv,
        token_secret_a=secret_a,
        token_b_description="mktokenbdescription",
        group_id=group.pk,
        people_markers={
            "customer_a": "mkcustaemail",
            "customer_b": "mkcustbemail",
        },
    )
