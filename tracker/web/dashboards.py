"""Dashboards: pages of saved searches and metric charts, personal or shared."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tracker import queries, rights
from tracker.errors import ValidationFailed
from tracker.metrics import Period, chart_data, select_fields
from tracker.models import Dashboard, DashboardItem, DashboardItemKind, Group, User
from tracker.services.dashboards import (
    add_dashboard_item,
    can_modify,
    create_dashboard,
    delete_dashboard,
    move_dashboard_item,
    remove_dashboard_item,
    visible_dashboards,
)
from tracker.ticketsql import TicketSQLError, search
from tracker.web.metrics import chart_labels

CHART_TITLES = {
    "created_vs_resolved": gettext_lazy("Created and resolved per day"),
    "open_by_queue_status": gettext_lazy("Open tickets by queue and status"),
    "open_by_owner": gettext_lazy("Open tickets per owner"),
    "backlog_age": gettext_lazy("Backlog age"),
    "response_times": gettext_lazy("Response and resolution (hours)"),
    "custom_field": gettext_lazy("Breakdown by custom field"),
}
DAY_CHOICES = ((7, "7"), (30, "30"), (90, "90"), (365, "365"))


class DashboardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    group = forms.ChoiceField(label=gettext_lazy("Share with"), required=False)

    def __init__(
        self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups


class ItemForm(forms.Form):
    saved_search = forms.ChoiceField(label=gettext_lazy("Saved search"), required=False)
    chart = forms.ChoiceField(label=gettext_lazy("Chart"), required=False)
    days = forms.TypedChoiceField(
        label=gettext_lazy("Days"), choices=DAY_CHOICES, coerce=int, initial=30
    )
    queue = forms.ChoiceField(label=gettext_lazy("Queue"), required=False)
    custom_field = forms.ChoiceField(label=gettext_lazy("Custom field"), required=False)
    rows = forms.IntegerField(
        label=gettext_lazy("Rows"), min_value=1, max_value=50, initial=10
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.saved = {str(s.pk): s for s in queries.visible_saved_searches(user)}
        self.queues = {
            str(q.pk): q
            for q in rights.queues_with_right(user, rights.SEE_QUEUE).filter(
                is_active=True
            )
        }
        self.cfs = {str(f.pk): f for f in select_fields()}
        self.fields["saved_search"].choices = blank + [
            (k, s.name) for k, s in self.saved.items()
        ]
        self.fields["chart"].choices = blank + [
            (k, str(v)) for k, v in CHART_TITLES.items()
        ]
        self.fields["queue"].choices = [("", _("All queues"))] + [
            (k, q.name) for k, q in self.queues.items()
        ]
        self.fields["custom_field"].choices = blank + [
            (k, f.name) for k, f in self.cfs.items()
        ]


def _share_choices(user: User) -> list[tuple[str, str]]:
    choices = [("", _("Only me"))]
    if rights.has_right(user, rights.CREATE_DASHBOARD):
        groups = Group.objects.filter(
            pk__in=rights.grants_for(user).group_ids, domain="UserDefined"
        )
        choices += [(str(g.pk), g.name) for g in groups]
    return choices


def _dashboard_for(user: User, pk: int) -> Dashboard:
    dashboard = visible_dashboards(user).filter(pk=pk).first()
    if dashboard is None or not user.is_privileged:
        raise Http404(_("No such dashboard."))
    return dashboard


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_privileged:
        raise Http404(_("No such page."))


@login_required
@require_GET
def dashboard_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(
        request,
        "tracker/dashboards.html",
        {
            "dashboards": visible_dashboards(request.user),
            "form": DashboardForm(groups=_share_choices(request.user)),
        },
    )


@login_required
@require_POST
def dashboard_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    choices = _share_choices(request.user)
    form = DashboardForm(request.POST, groups=choices)
    if not form.is_valid():
        return render(
            request,
            "tracker/dashboards.html",
            {"dashboards": visible_dashboards(request.user), "form": form},
            status=400,
        )
    group_id = form.cleaned_data["group"]
    group = Group.objects.get(pk=group_id) if group_id else None
    dashboard = create_dashboard(
        actor=request.user, name=form.cleaned_data["name"], group=group
    )
    return redirect(dashboard)


def _table(chart: str, data: dict[str, Any], words: dict[str, str]) -> dict:
    """The chart's numbers as a table: header cells and rows of cells."""
    if chart == "created_vs_resolved":
        rows = [
            [r["day"], r["created"], r["resolved"]] for r in data["created_vs_resolved"]
        ]
        return {"head": [_("Day"), _("Created"), _("Resolved")], "rows": rows}
    if chart == "open_by_queue_status":
        rows = [[r["queue"], r["status"], r["count"]] for r in data[chart]]
        return {"head": [_("Queue"), _("Status"), _("Open")], "rows": rows}
    if chart == "open_by_owner":
        rows = [[r["owner"], r["count"]] for r in data[chart]]
        return {"head": [_("Owner"), _("Open")], "rows": rows}
    if chart == "backlog_age":
        keys = ("under_1d", "1_7d", "7_30d", "over_30d")
        return {
            "head": [_("Age"), _("Open")],
            "rows": [[words[k], data[chart][k]] for k in keys],
        }
    if chart == "response_times":
        rows = [
            [label, d["count"], d["median"], d["p90"]]
            for label, d in (
                (words["first_response"], data["first_response_hours"]),
                (words["resolution"], data["resolve_hours"]),
            )
        ]
        return {
            "head": ["", _("Tickets"), _("Median"), _("90th percentile")],
            "rows": rows,
        }
    values = (data.get("custom_field") or {}).get("values", [])
    return {
        "head": [_("Value"), _("Tickets")],
        "rows": [[r["value"], r["count"]] for r in values],
    }


def _render_item(user: User, item: DashboardItem, words: dict[str, str]) -> dict:
    block: dict[str, Any] = {"item": item}
    if item.kind == DashboardItemKind.SEARCH:
        saved = item.saved_search
        block["title"] = saved.name
        block["url"] = saved.get_absolute_url()
        try:
            block["tickets"] = list(
                search(
                    user, saved.query, order_by=saved.order_by, order=saved.order
                ).select_related("queue", "owner")[: item.rows]
            )
        except TicketSQLError as error:
            block["error"] = error.message
        return block
    period = Period.last(item.days)
    data = chart_data(
        user, item.chart, period=period, queue=item.queue, field=item.custom_field
    )
    title = CHART_TITLES.get(item.chart, item.chart)
    if item.chart == "custom_field" and item.custom_field:
        title = _("Tickets by %(name)s") % {"name": item.custom_field.name}
    block.update(
        title=title,
        data=data,
        data_id=f"chart-data-{item.pk}",
        table=_table(item.chart, data, words),
    )
    return block


@login_required
@require_GET
def dashboard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard_for(request.user, pk)
    # Searches and charts run with the viewer's rights, so a shared dashboard shows
    # each member only the tickets that member may see.
    items = dashboard.items.select_related("saved_search", "queue", "custom_field")
    words = chart_labels()
    blocks = [_render_item(request.user, item, words) for item in items]
    editable = can_modify(request.user, dashboard)
    context = {
        "dashboard": dashboard,
        "blocks": blocks,
        "editable": editable,
        "chart_labels": words,
        "item_form": ItemForm(user=request.user) if editable else None,
    }
    return render(request, "tracker/dashboard.html", context)


@login_required
@require_POST
def dashboard_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard_for(request.user, pk)
    form = ItemForm(request.POST, user=request.user)
    if not form.is_valid():
        raise ValidationFailed(_("Check the chart or search you chose."))
    data = form.cleaned_data
    add_dashboard_item(
        dashboard=dashboard,
        actor=request.user,
        saved_search=form.saved.get(data["saved_search"]),
        chart=data["chart"],
        days=data["days"],
        queue=form.queues.get(data["queue"]),
        custom_field=form.cfs.get(data["custom_field"]),
        rows=data["rows"],
    )
    return redirect(dashboard)


def _item_for(request: HttpRequest, pk: int, item_id: int) -> DashboardItem:
    dashboard = _dashboard_for(request.user, pk)
    item = dashboard.items.filter(pk=item_id).select_related("dashboard").first()
    if item is None:
        raise Http404(_("No such dashboard item."))
    return item


@login_required
@require_POST
def dashboard_item_remove(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    item = _item_for(request, pk, item_id)
    remove_dashboard_item(item=item, actor=request.user)
    return redirect(item.dashboard)


@login_required
@require_POST
def dashboard_item_move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    item = _item_for(request, pk, item_id)
    move_dashboard_item(
        item=item, actor=request.user, up=request.POST.get("direction") == "up"
    )
    return redirect(item.dashboard)


@login_required
@require_POST
def dashboard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard_for(request.user, pk)
    delete_dashboard(dashboard=dashboard, actor=request.user)
    messages.success(
        request, _("Dashboard '%(name)s' deleted.") % {"name": dashboard.name}
    )
    return redirect("dashboard-list")
