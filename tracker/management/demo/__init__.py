"""A demo organisation with a NOC, a CSIRT and a helpdesk, and about fifty tickets.

Everything is made through `tracker.services` (configuration rows as the test factories
make them), so the data passes the same rights and lifecycle rules as real use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tracker.management.demo import directory, helpdesk, noc, security
from tracker.management.demo.directory import is_loaded
from tracker.management.demo.script import Cast, Later, Story, play
from tracker.models import CustomFieldValue, Link, Ticket, Transaction

__all__ = ["SCENARIO", "Summary", "is_loaded", "seed"]

SCENARIO: list[Story | Later] = [
    *security.SCENARIO,
    *noc.SCENARIO,
    *helpdesk.SCENARIO,
    *helpdesk.AFTER_MOVE,
]


@dataclass(frozen=True)
class Summary:
    queues: dict[str, int]
    groups: dict[str, list[str]]
    customers: list[str]
    tickets: int
    transactions: int
    links: int
    custom_field_values: int


@transaction.atomic
def seed() -> Summary:
    """Create the demo data in one transaction. Callers check `is_loaded()` first."""
    queues = directory.build_queues()
    users, groups = directory.build_people()
    directory.build_custom_fields(queues)
    directory.grant_rights(queues, users, groups)
    cast = Cast(users=users, queues=queues)
    play(SCENARIO, cast)
    ticket_ids = [ticket.pk for ticket in cast.created]
    demo_tickets = Ticket.objects.filter(pk__in=ticket_ids, merged_into__isnull=True)
    return Summary(
        queues={
            name: demo_tickets.filter(queue=queue).count()
            for name, queue in queues.items()
        },
        groups={
            team: [p.username for p in people]
            for team, people in directory.TEAMS.items()
        },
        customers=[p.username for p in directory.CUSTOMERS],
        tickets=len(ticket_ids),
        transactions=Transaction.objects.filter(ticket_id__in=ticket_ids).count(),
        links=Link.objects.filter(base_id__in=ticket_ids).count(),
        custom_field_values=CustomFieldValue.objects.filter(
            ticket_id__in=ticket_ids
        ).count(),
    )
