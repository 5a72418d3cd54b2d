"""The search page: a TicketSQL box, sortable and paged results, CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tracker import queries, rights
from tracker.errors import DomainError, PermissionDenied, ValidationFailed
from tracker.models import Group, GroupDomain, User
from tracker.services.updates import delete_saved_search, save_search, update_ticket
from tracker.ticketsql import TicketSQLError, search
from tracker.web import columns, querybuilder
from tracker.web.forms import BulkUpdateForm, SaveSearchForm

PAGE_SIZES = (25, 50, 100)
CSV_LIMIT = 10_000

SORT_KEYS = {c.key.lower(): c.key for c in columns.COLUMNS.values() if c.sortable}


def _params(request: HttpRequest) -> dict[str, Any]:
    """Validated search parameters; `q` already includes what the builder added."""
    order_by = SORT_KEYS.get(request.GET.get("order_by", "").lower(), "LastUpdated")
    order = "ASC" if request.GET.get("order", "").upper() == "ASC" else "DESC"
    try:
        rows = int(request.GET.get("rows", 50))
    except ValueError:
        rows = 50
    return {
        "q": request.GET.get("q", "").strip(),
        "order_by": order_by,
        "order": order,
        "rows": rows if rows in PAGE_SIZES else 50,
        "col": [c.key for c in columns.chosen(request.GET)],
    }


def _builder(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    """The builder's rows from the request; with `build`, its TicketSQL joins `q`."""
    kinds = querybuilder.field_kinds()
    rows = querybuilder.rows_from(request.GET)
    blanks = max(3 - len(rows), 1)
    context = {
        "builder_rows": rows + [querybuilder.Row("", "", "") for _n in range(blanks)],
        "builder_fields": querybuilder.field_choices(),
        "builder_operators": querybuilder.ALL_OPERATORS,
        "builder_kinds": kinds,
        "builder_kind_operators": querybuilder.OPERATORS,
    }
    if "build" in request.GET:
        try:
            built = querybuilder.build_query(rows, kinds)
        except querybuilder.BuilderError as error:
            context["builder_error"] = str(error)
        else:
            params["q"] = querybuilder.combine(params["q"], built)
            # The rows are now part of the query; offer blank ones again.
            context["builder_rows"] = [querybuilder.Row("", "", "")] * 3
    return context


def _sort_links(params: dict[str, Any]) -> list[dict]:
    links = []
    for column in columns.pick(params["col"]):
        key, label = column.key, column.label
        if not column.sortable:
            links.append({"label": label, "url": "", "active": False, "order": ""})
            continue
        active = key == params["order_by"]
        flipped = "ASC" if active and params["order"] == "DESC" else "DESC"
        query = {**params, "order_by": key, "order": flipped if active else "ASC"}
        links.append(
            {
                "label": label,
                "url": "?" + urlencode(query, doseq=True),
                "active": active,
                "order": params["order"] if active else "",
            }
        )
    return links


@login_required
@require_GET
def ticket_search(request: HttpRequest) -> HttpResponse:
    """Staff search. Rights are applied by TicketSQL's search(), in SQL."""
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    params = _params(request)
    context: dict[str, Any] = _builder(request, params)
    context.update(params=params, sort_links=_sort_links(params))
    context["column_slots"] = _column_slots(params["col"])
    context["custom_columns"] = tuple(params["col"]) != columns.DEFAULT
    context["column_choices"] = [(c.key, c.label) for c in columns.COLUMNS.values()]
    context["page_sizes"] = PAGE_SIZES
    context["saved_searches"] = queries.visible_saved_searches(request.user)
    if "builder_error" in context:
        return render(request, "tracker/search.html", context, status=400)
    if "q" not in request.GET and "build" not in request.GET:
        return render(request, "tracker/search.html", context)
    shown = columns.pick(params["col"])
    try:
        tickets = search(
            request.user,
            params["q"],
            order_by=params["order_by"],
            order=params["order"],
        )
        tickets = columns.prepare(tickets, shown)
        if request.GET.get("format") == "csv":
            return _csv_response(tickets, shown)
        page = Paginator(tickets, params["rows"]).get_page(request.GET.get("page"))
        # Evaluate here so that a query failing only in the database is caught too.
        rows = list(page.object_list)
        context.update(
            page=page,
            tickets=rows,
            result_rows=[(t, [c.cell(t) for c in shown]) for t in rows],
        )
    except TicketSQLError as error:
        context["error"] = error
        context["error_caret"] = (
            " " * (error.position - 1) + "^" if error.position > 0 else ""
        )
        return render(request, "tracker/search.html", context, status=400)
    context["can_bulk"] = rights.has_right(request.user, rights.SHOW_SEARCH_BULK_UPDATE)
    if context["can_bulk"]:
        context["bulk_form"] = BulkUpdateForm()
        context["back"] = request.get_full_path()
    if rights.has_right(request.user, rights.CREATE_SAVED_SEARCH):
        context["save_form"] = SaveSearchForm(
            initial={
                "q": params["q"],
                "order_by": params["order_by"],
                "order": params["order"],
                "columns": ",".join(params["col"]),
            },
            groups=_share_choices(request.user),
        )
    context["csv_url"] = "?" + urlencode({**params, "format": "csv"}, doseq=True)
    context["page_query"] = urlencode(params, doseq=True)
    return render(request, "tracker/search.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv_value(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _csv_rows(tickets: Any, shown: list[columns.Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([c.key for c in shown])
    # Chunks keep memory flat; prefetches (requestors) run once per chunk.
    for ticket in tickets[:CSV_LIMIT].iterator(chunk_size=500):
        yield writer.writerow([_cell(_csv_value(c.value(ticket))) for c in shown])


def _csv_response(tickets: Any, shown: list[columns.Column]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_rows(tickets, shown), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="tickets.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _column_slots(keys: list[str]) -> list[str]:
    """One select per position: the chosen columns in order, then blanks."""
    return (keys + [""] * columns.SLOTS)[: max(columns.SLOTS, len(keys))]


# --- RT's well-known addresses ----------------------------------------------------------


def _ticket_number(request: HttpRequest) -> int:
    raw = request.GET.get("id", "")
    if not raw.isdigit():
        raise Http404(_("No such ticket."))
    return int(raw)


@require_GET
def rt_ticket_display(request: HttpRequest) -> HttpResponse:
    """/Ticket/Display.html?id=N and /SelfService/Display.html?id=N."""
    return redirect(reverse("ticket-detail", args=[_ticket_number(request)]))


@require_GET
def rt_search_results(request: HttpRequest) -> HttpResponse:
    """/Search/Results.html?Query=...&OrderBy=...&Order=..."""
    query = {"q": request.GET.get("Query", "")}
    if request.GET.get("OrderBy"):
        query["order_by"] = request.GET["OrderBy"].split("|")[0]
    if request.GET.get("Order"):
        query["order"] = request.GET["Order"].split("|")[0]
    return redirect(reverse("ticket-search") + "?" + urlencode(query))


# --- Bulk update ------------------------------------------------------------------------

BULK_LIMIT = 200


@login_required
@require_POST
def bulk_update(request: HttpRequest) -> HttpResponse:
    """Apply one change (status, owner, reply or comment) to each selected ticket.

    Each ticket is updated in its own atomic block through update_ticket, so one
    refusal (a right, a lifecycle rule) does not undo the others; the result lists both.
    """
    if not (
        request.user.is_privileged
        and rights.has_right(request.user, rights.SHOW_SEARCH_BULK_UPDATE)
    ):
        raise PermissionDenied(_("Permission denied: you may not update in bulk."))
    form = BulkUpdateForm(request.POST)
    numbers = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    if not numbers or not form.is_valid():
        raise ValidationFailed(_("Choose tickets and at least one change."))
    data = form.cleaned_data
    owner = None
    if data["owner"]:
        owner = User.objects.filter(username=data["owner"], is_active=True).first()
        if owner is None:
            raise ValidationFailed(
                _("There is no active user called '%s'.") % data["owner"]
            )
    is_comment = data["kind"] == "comment"
    done, failed = [], []
    for number in numbers[:BULK_LIMIT]:
        try:
            ticket = queries.get_ticket_for(request.user, number)
            update_ticket(
                ticket=ticket,
                actor=request.user,
                reply="" if is_comment else data["body"],
                comment=data["body"] if is_comment else "",
                status=data["status"] or None,
                owner=owner,
            )
            done.append(number)
        except DomainError as error:
            failed.append(f"#{number}: {error.message}")
    if done:
        messages.success(
            request,
            _("Updated %(list)s.") % {"list": ", ".join(f"#{n}" for n in done)},
        )
    for line in failed:
        messages.error(request, line)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("ticket-search")
    return redirect(back)


# --- Saved searches ---------------------------------------------------------------------


def _share_choices(user: User) -> list[tuple[str, str]]:
    groups = Group.objects.filter(
        pk__in=rights.grants_for(user).group_ids, domain=GroupDomain.USER_DEFINED
    )
    return [("", _("Only me")), *((str(g.pk), g.name) for g in groups)]


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST, groups=_share_choices(request.user))
    if not form.is_valid():
        raise ValidationFailed(_("Give the search a name."))
    data = form.cleaned_data
    group = Group.objects.filter(pk=data["group"]).first() if data["group"] else None
    saved = save_search(
        actor=request.user,
        name=data["name"],
        query=data["q"],
        order_by=SORT_KEYS.get(data["order_by"].lower(), "LastUpdated"),
        order=data["order"],
        group=group,
        columns=",".join(c.key for c in columns.pick([data["columns"]])),
    )
    messages.success(request, _("Search '%(name)s' saved.") % {"name": saved.name})
    return redirect(saved)


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = queries.visible_saved_searches(request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404(_("No such saved search."))
    delete_saved_search(saved=saved, actor=request.user)
    messages.success(request, _("Search '%(name)s' deleted.") % {"name": saved.name})
    return redirect("ticket-search")
