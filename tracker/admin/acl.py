"""The Rights page: grants read as principal x right x queue.

Granting and revoking go through tracker.services (which check the actor's rights and
write GrantRight/RevokeRight history). A grant is never edited: revoke and grant again.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from queues.models import Queue
from tracker import rights, services
from tracker.admin.base import (
    CONFIRM_TEMPLATE,
    FORM_TEMPLATE,
    call_service,
    render_page,
    safe_next,
)
from tracker.admin.forms import SCOPE_LABELS, GrantRightForm, PrincipalKind
from tracker.models import ACE, Role

# Who may look at a queue's grants, and who may change them (as the services require).
ACL_VIEW_RIGHTS = (rights.SHOW_ACL, rights.MODIFY_ACL, rights.ADMIN_QUEUE)
ACL_CHANGE_RIGHTS = (rights.MODIFY_ACL, rights.ADMIN_QUEUE)


def queues_with_any(user: Any, names: tuple[str, ...]) -> QuerySet[Queue]:
    """Queues on which `user` holds at least one of `names`."""
    ids = Q()
    for name in names:
        ids |= Q(pk__in=rights.queues_with_right(user, name).values("pk"))
    return Queue.objects.filter(ids)


def principal_label(ace: ACE) -> str:
    if ace.role:
        return f"{ace.role} (role)"
    if ace.group_id:
        return f"{ace.group} (group)"
    return f"{ace.user} (user)"


def grant_url(*, next_url: str = "", **initial: object) -> str:
    """The Grant right page, prefilled (queue=, kind=, user=, group=)."""
    params = {k: v for k, v in initial.items() if v is not None}
    if next_url:
        params["next"] = next_url
    url = reverse("admin:tracker_ace_add")
    return f"{url}?{urlencode(params)}" if params else url


def revoke_url(ace: ACE, next_url: str = "") -> str:
    url = reverse("admin:tracker_ace_delete", args=[ace.pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class RightFilter(admin.SimpleListFilter):
    title = "right"
    parameter_name = "right"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [(name, name) for name in sorted(rights.all_rights())]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(right=self.value()) if self.value() else queryset


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"
    GLOBAL = "global"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        queues = model_admin.visible_queues(request)
        return [
            (self.GLOBAL, "All queues (global grants)"),
            *((str(q.pk), q.name) for q in queues),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value == self.GLOBAL:
            return queryset.filter(queue__isnull=True)
        return queryset.filter(queue_id=value) if value.isdigit() else queryset.none()


class PrincipalKindFilter(admin.SimpleListFilter):
    title = "granted to"
    parameter_name = "kind"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [(k.value, k.label.split(" (")[0]) for k in PrincipalKind]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == PrincipalKind.USER:
            return queryset.filter(user__isnull=False)
        if value == PrincipalKind.GROUP:
            return queryset.filter(group__isnull=False)
        if value == PrincipalKind.ROLE:
            return queryset.exclude(role="")
        return queryset


@admin.register(ACE)
class RightsAdmin(admin.ModelAdmin):
    list_display = ["principal", "right", "right_category", "right_scope", "where"]
    list_select_related = ["user", "group", "queue"]
    list_filter = [RightFilter, QueueFilter, "role", PrincipalKindFilter]
    search_fields = ["user__username", "user__real_name", "user__email", "group__name"]
    ordering = ["queue__name", "role", "group__name", "user__username", "right"]
    actions = ["revoke_selected"]
    fields = ["principal", "right", "right_category", "right_scope", "where", "created"]
    readonly_fields = fields

    # --- access: ShowACL to look, ModifyACL/AdminQueue per queue, SuperUser globally --

    def sees_global(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, rights.SHOW_ACL) or rights.has_right(
            request.user, rights.SUPER_USER
        )

    def visible_queues(self, request: HttpRequest) -> QuerySet[Queue]:
        if rights.has_right(request.user, rights.SUPER_USER):
            return Queue.objects.all()
        return queues_with_any(request.user, ACL_VIEW_RIGHTS)

    def grantable_queues(self, request: HttpRequest) -> QuerySet[Queue]:
        if rights.has_right(request.user, rights.SUPER_USER):
            return Queue.objects.all()
        return queues_with_any(request.user, ACL_CHANGE_RIGHTS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ACE]:
        grants = super().get_queryset(request)
        if rights.has_right(request.user, rights.SUPER_USER):
            return grants
        shown = Q(queue__in=self.visible_queues(request))
        if self.sees_global(request):
            shown |= Q(queue__isnull=True)
        return grants.filter(shown)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: ACE | None = None) -> bool:
        if obj is not None:
            return self.get_queryset(request).filter(pk=obj.pk).exists()
        return self.sees_global(request) or self.visible_queues(request).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        if rights.has_right(request.user, rights.SUPER_USER):
            return True
        return self.grantable_queues(request).exists()

    def has_change_permission(
        self, request: HttpRequest, obj: ACE | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ACE | None = None
    ) -> bool:
        # The service decides for each grant; this only hides the button from
        # people who can change no grant at all.
        return self.has_add_permission(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- columns ----------------------------------------------------------------

    @admin.display(description="Granted to", ordering="user__username")
    def principal(self, obj: ACE) -> str:
        return principal_label(obj)

    @admin.display(description="Category")
    def right_category(self, obj: ACE) -> str:
        info = rights.all_rights().get(obj.right)
        return info.category if info else "Unknown right"

    @admin.display(description="Scope")
    def right_scope(self, obj: ACE) -> str:
        info = rights.all_rights().get(obj.right)
        return SCOPE_LABELS.get(info.scope, info.scope) if info else "?"

    @admin.display(description="Queue", ordering="queue__name")
    def where(self, obj: ACE) -> str:
        return obj.queue.name if obj.queue_id else "All queues"

    # --- grant ------------------------------------------------------------------

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GrantRightForm(
            request.POST or None,
            initial=request.GET.dict(),
            queues=self.grantable_queues(request),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            queue = data["queue"]
            where = f"queue {queue.name}" if queue else "all queues"
            granted = call_service(
                request,
                partial(
                    services.grant_right,
                    right=data["right"],
                    queue=queue,
                    actor=request.user,
                    **form.principal(),
                ),
                success=f"Granted {data['right']} on {where}.",
            )
            if granted:
                changelist = reverse("admin:tracker_ace_changelist")
                return HttpResponseRedirect(safe_next(request, changelist))
        return render_page(
            self,
            request,
            FORM_TEMPLATE,
            title="Grant a right",
            form=form,
            submit_label="Grant",
            next_url=safe_next(request, ""),
            intro=(
                "Rights are additive: a principal has a right on a queue when it is "
                "granted on that queue or on all queues."
            ),
        )

    # --- revoke -----------------------------------------------------------------

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        ace = self.get_object(request, unquote(object_id))
        if ace is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_delete_permission(request, ace):
            raise PermissionDenied
        if request.method == "POST":
            call_service(
                request,
                partial(services.revoke_right, ace=ace, actor=request.user),
                success=f"Revoked {ace}.",
            )
            changelist = reverse("admin:tracker_ace_changelist")
            return HttpResponseRedirect(safe_next(request, changelist))
        return render_page(
            self,
            request,
            CONFIRM_TEMPLATE,
            title="Revoke a right",
            obj=ace,
            question=f"Revoke {ace.right} from {principal_label(ace)} "
            f"on {self.where(ace)}?",
            items=[],
            submit_label="Yes, revoke",
            next_url=safe_next(request, ""),
        )

    @admin.action(description="Revoke selected grants", permissions=["delete"])
    def revoke_selected(
        self, request: HttpRequest, queryset: QuerySet[ACE]
    ) -> TemplateResponse | None:
        if request.POST.get("post") != "yes":
            return render_page(
                self,
                request,
                CONFIRM_TEMPLATE,
                title="Revoke rights",
                question="Revoke these grants?",
                items=[str(ace) for ace in queryset],
                action="revoke_selected",
                selected=[ace.pk for ace in queryset],
                submit_label="Yes, revoke",
            )
        revoked = sum(
            call_service(
                request,
                partial(services.revoke_right, ace=ace, actor=request.user),
                success=f"Revoked {ace}.",
            )
            for ace in queryset
        )
        if not revoked:
            messages.warning(request, "No grant was revoked.")
        return None

    # --- matrix -----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        matrix = path(
            "matrix/",
            self.admin_site.admin_view(self.matrix_view),
            name="tracker_ace_matrix",
        )
        return [matrix, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {
            "matrix_url": reverse("admin:tracker_ace_matrix"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def matrix_view(self, request: HttpRequest) -> HttpResponse:
        """Rights as rows, principals as columns, for one queue or for all queues."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        queues = self.visible_queues(request)
        queue = None
        if request.GET.get("queue", "").isdigit():
            queue = queues.filter(pk=request.GET["queue"]).first()
        grants = self.get_queryset(request).select_related("user", "group", "queue")
        grants = (
            grants.filter(Q(queue=queue) | Q(queue__isnull=True))
            if queue
            else (grants.filter(queue__isnull=True))
        )
        return render_page(
            self,
            request,
            "admin/tracker/rights_matrix.html",
            title=f"Rights on {queue.name}" if queue else "Rights on all queues",
            queue=queue,
            queues=queues,
            **rights_matrix(list(grants), queue),
        )


def rights_matrix(grants: list[ACE], queue: Queue | None) -> dict[str, Any]:
    """Rows of (right, category, cells) and the column labels, for the matrix template.

    For a queue, only queue-level rights are rows; a cell is "granted" when granted on
    the queue itself and "global" when it applies through a grant on all queues.
    """
    catalogue = rights.all_rights()

    def is_row(right: str) -> bool:
        info = catalogue.get(right)
        return queue is None or info is None or info.scope == rights.Scope.QUEUE

    role_order = {role: n for n, role in enumerate(Role.values)}

    def column_key(ace: ACE) -> tuple[int, str, int]:
        if ace.role:
            return (0, "", role_order.get(ace.role, len(role_order)))
        if ace.group_id:
            return (1, ace.group.name.lower(), ace.group_id)
        return (2, ace.user.username.lower(), ace.user_id)

    columns: dict[tuple[int, str, int], str] = {}
    cells: dict[tuple[str, tuple[int, str, int]], str] = {}
    for ace in grants:
        if not is_row(ace.right):
            continue
        key = column_key(ace)
        columns[key] = principal_label(ace)
        here = queue is None or ace.queue_id == queue.pk
        if here or (ace.right, key) not in cells:
            cells[(ace.right, key)] = "granted" if here else "global"
    keys = sorted(columns)
    names = [name for name in catalogue if is_row(name)]
    names += sorted({right for right, _ in cells} - set(names))
    rows = [
        (
            name,
            catalogue[name].category if name in catalogue else "Unknown",
            [cells.get((name, key), "") for key in keys],
        )
        for name in names
    ]
    return {
        "columns": [columns[key] for key in keys],
        "rows": rows,
        "legend": format_html(
            "<strong>✓</strong> granted here{}",
            "; <em>global</em>: granted on all queues" if queue else "",
        ),
    }
