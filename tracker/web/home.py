"""The home pages: the staff overview and the customer's list of their own tickets."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lifecycles import registry
from tracker import queries, rights
from tracker.models import Role, Ticket, User
from tracker.principals import nobody

BLOCK_LIMIT = 10


def inactive_statuses() -> set[str]:
    """Every status that some lifecycle calls inactive (resolved, rejected, ...)."""
    names: set[str] = set()
    for name in registry.lifecycle_names():
        names |= set(registry.get_lifecycle(name).inactive)
    return names


def _listing(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("queue", "owner")


def open_counts(user: User, closed: set[str]) -> QuerySet:
    """Open tickets per queue and status, counted in SQL after the rights filter.

    The partial index ticket_open_queue_status holds open tickets only, so on
    PostgreSQL this is an index-only scan whose cost follows the open work, not the
    whole history.
    """
    return (
        queries.visible_tickets(user)
        .exclude(status__in=closed)
        .values("queue_id", "queue__name", "status")
        .annotate(n=Count("id"))
        .order_by("queue__name", "status")
    )


def _queue_counts(user: User, closed: set[str]) -> list[dict]:
    rows = open_counts(user, closed)
    queues: dict[int, dict] = {}
    statuses: set[str] = set()
    for row in rows:
        entry = queues.setdefault(
            row["queue_id"],
            {"name": row["queue__name"], "counts": defaultdict(int), "total": 0},
        )
        entry["counts"][row["status"]] += row["n"]
        entry["total"] += row["n"]
        statuses.add(row["status"])
    columns = sorted(statuses)
    return [
        {
            "name": q["name"],
            "total": q["total"],
            "cells": [q["counts"].get(s, 0) for s in columns],
        }
        for q in queues.values()
    ], columns


def _counts_body(rows: list[dict]) -> SafeString:
    """The rows of the counts table. Built here rather than in the template: a hundred
    queues by ten statuses is a thousand cells, most of the page's rendering time."""
    lines = []
    for row in rows:
        cells = "".join(
            f'<td class="num{"" if n else " muted"}">{n:d}</td>' for n in row["cells"]
        )
        lines.append(
            f'<tr><th scope="row">{escape(row["name"])}</th>{cells}'
            f'<td class="num strong">{row["total"]:d}</td></tr>'
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - names escaped, counts are ints


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    closed = inactive_statuses()
    visible = queries.visible_tickets(user)
    if not user.is_privileged:
        mine = _listing(visible).order_by("-last_updated", "-id")
        return render(
            request,
            "tracker/selfservice/home.html",
            {
                "open_tickets": mine.exclude(status__in=closed)[:50],
                "closed_tickets": mine.filter(status__in=closed)[:BLOCK_LIMIT],
                "can_create": rights.queues_with_right(user, rights.CREATE_TICKET)
                .filter(is_active=True)
                .exists(),
            },
        )
    open_visible = visible.exclude(status__in=closed)
    queue_rows, status_columns = _queue_counts(user, closed)
    context = {
        "my_tickets": _listing(open_visible.filter(owner=user)).order_by(
            "-priority", "due", "id"
        )[:BLOCK_LIMIT],
        "unowned": _listing(open_visible.filter(owner=nobody())).order_by("-created")[
            :BLOCK_LIMIT
        ],
        "my_requests": _listing(
            open_visible.filter(
                Q(watchers__role=Role.REQUESTOR, watchers__user=user)
            ).distinct()
        ).order_by("-last_updated")[:BLOCK_LIMIT],
        "queue_rows": queue_rows,
        "queue_rows_html": _counts_body(queue_rows),
        "status_columns": status_columns,
        "create_queues": rights.queues_with_right(user, rights.CREATE_TICKET).filter(
            is_active=True
        ),
    }
    return render(request, "tracker/home.html", context)


@login_required
@require_GET
def person_tickets(request: HttpRequest, user_id: int) -> HttpResponse:
    """Tickets (that the viewer may see) where this person is requestor, cc or owner."""
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404(_("No such person."))
    tickets = _listing(
        queries.visible_tickets(request.user)
        .filter(Q(watchers__user=person) | Q(owner=person))
        .distinct()
        .order_by("-last_updated")
    )[:100]
    return render(
        request,
        "tracker/person_tickets.html",
        {"person": person, "tickets": tickets},
    )
