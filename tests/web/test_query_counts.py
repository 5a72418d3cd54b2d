"""The busiest pages run a constant number of queries however much data there is.

Tickets are copied with bulk_create (with their requestor rows) so that "large" stays
fast; the history is written through the services, as real updates would.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import Role, Ticket, TicketWatcher
from tracker.principals import system_user

pytestmark = pytest.mark.django_db

MANY_TICKETS = 600
LONG_HISTORY = 120


def _copies(template: Ticket, n: int, **changes) -> None:
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Ticket._meta.concrete_fields
        if not f.primary_key
    }
    fields.update(changes)
    tickets = Ticket.objects.bulk_create(
        [Ticket(**{**fields, "subject": f"Copy {i}"}) for i in range(n)]
    )
    if not tickets[0].pk:  # backends that do not return ids
        tickets = list(Ticket.objects.order_by("-id")[:n])
    requestor = template.watchers.filter(role=Role.REQUESTOR).first()
    TicketWatcher.objects.bulk_create(
        [
            TicketWatcher(ticket=t, user_id=requestor.user_id, role=Role.REQUESTOR)
            for t in tickets
        ]
    )


@pytest.fixture
def template_ticket(staff):
    from tests.factories import make_ticket

    requestor = make_user(email="many@example.com")
    return make_ticket(subject="Template", requestors=[requestor, staff])


def test_home_runs_constant_queries_with_many_tickets(client, staff, template_ticket):
    client.force_login(staff)
    url = reverse("home")
    few = count_queries(client, url)

    _copies(template_ticket, MANY_TICKETS // 2, owner_id=staff.pk)
    _copies(template_ticket, MANY_TICKETS // 2)

    assert count_queries(client, url) == few


def test_search_runs_constant_queries_with_many_results(client, staff, template_ticket):
    client.force_login(staff)
    url = (
        reverse("ticket-search")
        + "?q=Status+%3D+%27new%27&rows=100&col=id&col=Subject&col=Requestors"
        + "&col=Owner&col=Queue&col=Status"
    )
    few = count_queries(client, url)

    _copies(template_ticket, MANY_TICKETS)

    response = client.get(url)
    assert response.context["page"].paginator.count == MANY_TICKETS + 1
    assert count_queries(client, url) == few


def test_ticket_page_runs_constant_queries_with_a_long_history(
    client, staff, template_ticket
):
    client.force_login(staff)
    url = template_ticket.get_absolute_url()
    few = count_queries(client, url)

    actor = system_user()
    for n in range(LONG_HISTORY // 3):
        services.correspond(ticket=template_ticket, actor=actor, body=f"Reply {n}")
        services.comment(ticket=template_ticket, actor=staff, body=f"Note {n}")
        services.set_fields(ticket=template_ticket, actor=actor, priority=n + 1)

    assert count_queries(client, url) == few


def test_metrics_run_constant_queries_with_many_tickets(client, staff, template_ticket):
    client.force_login(staff)
    url = reverse("metrics") + "?days=90"
    few = count_queries(client, url)

    _copies(template_ticket, MANY_TICKETS)

    assert count_queries(client, url) == few
