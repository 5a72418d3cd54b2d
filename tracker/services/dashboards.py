"""Dashboards: create, share, fill with saved searches and charts, reorder, delete.

Not ticket changes, so they write no history. Rights: a private dashboard needs
CreateOwnDashboard (ModifyOwnDashboard to change it, DeleteOwnDashboard to delete it);
sharing with a group needs CreateDashboard and membership of that group, and members of
the group see it. What a dashboard shows is always computed for the person looking, so
sharing one never shows anyone tickets they may not see.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from queues.models import Queue
from tracker import queries, rights
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.metrics import CHARTS
from tracker.models import (
    CustomField,
    Dashboard,
    DashboardItem,
    DashboardItemKind,
    Group,
    SavedSearch,
    User,
)

MAX_ROWS = 50
MAX_DAYS = 365


def visible_dashboards(user: User) -> QuerySet[Dashboard]:
    """The user's own dashboards and those shared with a group they belong to."""
    mine = (
        Q(owner=user)
        if rights.has_right(user, rights.SEE_OWN_DASHBOARD)
        else Q(pk__in=[])
    )
    shared = Q(group_id__in=rights.grants_for(user).group_ids)
    return Dashboard.objects.filter(mine | shared).select_related("group", "owner")


def can_modify(user: User, dashboard: Dashboard) -> bool:
    if dashboard.owner_id == user.pk:
        return rights.has_right(user, rights.MODIFY_OWN_DASHBOARD)
    return dashboard.group_id in rights.grants_for(user).group_ids and rights.has_right(
        user, rights.MODIFY_DASHBOARD
    )


def _require_modify(user: User, dashboard: Dashboard) -> None:
    if not can_modify(user, dashboard):
        raise PermissionDenied(_("You may not change this dashboard."))


@transaction.atomic
def create_dashboard(
    *, actor: User, name: str, group: Group | None = None
) -> Dashboard:
    """A new, empty dashboard, private or shared with one of the actor's groups."""
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationFailed(_("A dashboard needs a name."))
    if group is None:
        rights.require(actor, rights.CREATE_OWN_DASHBOARD)
    else:
        rights.require(actor, rights.CREATE_DASHBOARD)
        if group.pk not in rights.grants_for(actor).group_ids:
            raise PermissionDenied(
                _("You can only share dashboards with your own groups.")
            )
    if Dashboard.objects.filter(owner=actor, name=name).exists():
        raise ValidationFailed(
            _("You already have a dashboard called '%(name)s'.") % {"name": name}
        )
    return Dashboard.objects.create(owner=actor, name=name, group=group)


@transaction.atomic
def delete_dashboard(*, dashboard: Dashboard, actor: User) -> None:
    """Only the owner deletes a dashboard (DeleteOwnDashboard), or a member of the group
    it is shared with who holds DeleteDashboard."""
    if dashboard.owner_id == actor.pk:
        rights.require(actor, rights.DELETE_OWN_DASHBOARD)
    elif dashboard.group_id in rights.grants_for(actor).group_ids:
        rights.require(actor, rights.DELETE_DASHBOARD)
    else:
        raise PermissionDenied(_("You may not delete this dashboard."))
    dashboard.delete()


@transaction.atomic
def add_dashboard_item(
    *,
    dashboard: Dashboard,
    actor: User,
    saved_search: SavedSearch | None = None,
    chart: str = "",
    days: int = 30,
    queue: Queue | None = None,
    custom_field: CustomField | None = None,
    rows: int = 10,
) -> DashboardItem:
    """Append a saved search (its first `rows` results) or a chart to the dashboard.

    The saved search must be one the actor can load; a queue filter must be one the
    actor can see.
    """
    _require_modify(actor, dashboard)
    if (saved_search is None) == (not chart):
        raise ValidationFailed(_("Choose either a saved search or a chart."))
    if saved_search is not None:
        if (
            not queries.visible_saved_searches(actor)
            .filter(pk=saved_search.pk)
            .exists()
        ):
            raise NotFound(_("No such saved search."))
        kind = DashboardItemKind.SEARCH
    else:
        if chart not in CHARTS:
            raise ValidationFailed(_("'%(chart)s' is not a chart.") % {"chart": chart})
        if chart == "custom_field" and custom_field is None:
            raise ValidationFailed(_("Choose the custom field to break down by."))
        kind = DashboardItemKind.CHART
    if queue is not None and not rights.has_right(actor, rights.SEE_QUEUE, queue):
        raise NotFound(_("No such queue."))
    last = dashboard.items.aggregate(last=Max("position"))["last"]
    return DashboardItem.objects.create(
        dashboard=dashboard,
        position=0 if last is None else last + 1,
        kind=kind,
        saved_search=saved_search,
        chart=chart if kind == DashboardItemKind.CHART else "",
        days=min(max(days, 1), MAX_DAYS),
        queue=queue,
        custom_field=custom_field if chart == "custom_field" else None,
        rows=min(max(rows, 1), MAX_ROWS),
    )


@transaction.atomic
def remove_dashboard_item(*, item: DashboardItem, actor: User) -> None:
    _require_modify(actor, item.dashboard)
    item.delete()


@transaction.atomic
def move_dashboard_item(*, item: DashboardItem, actor: User, up: bool) -> None:
    """Swap the item with its neighbour above (or below)."""
    _require_modify(actor, item.dashboard)
    items = list(
        DashboardItem.objects.select_for_update()
        .filter(dashboard=item.dashboard_id)
        .order_by("position", "id")
    )
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
