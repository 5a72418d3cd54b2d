"""The queue admin with the queue's watchers and rights.

Queue fields are plain configuration (queues/admin.py). Watchers and grants change only
through tracker.services, from small pages linked from the change page.
"""

from __future__ import annotations

from functools import partial
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from queues.admin import QueueAdmin
from queues.models import Queue
from tracker import rights, services
from tracker.admin.acl import (
    grant_url,
    principal_label,
    queues_with_any,
    revoke_url,
)
from tracker.admin.base import (
    CONFIRM_TEMPLATE,
    FORM_TEMPLATE,
    call_service,
    change_url,
    html_table,
    link,
    object_link,
    render_page,
    viewable_object,
)
from tracker.admin.forms import AddQueueWatcherForm
from tracker.models import QueueWatcher

# Any of these lets a user open the queue's page (AdminQueue also lets them edit it).
QUEUE_PAGE_RIGHTS = (
    rights.ADMIN_QUEUE,
    rights.SHOW_ACL,
    rights.MODIFY_ACL,
    rights.MODIFY_QUEUE_WATCHERS,
)


class QueueAccessAdmin(QueueAdmin):
    readonly_fields = ["watchers_table", "rights_table"]

    def get_fieldsets(
        self, request: HttpRequest, obj: Queue | None = None
    ) -> list[tuple[str | None, dict]]:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets += [
                (
                    "Watchers (Cc and AdminCc of every ticket)",
                    {"fields": ["watchers_table"]},
                ),
                ("Rights granted on this queue", {"fields": ["rights_table"]}),
            ]
        return fieldsets

    # --- access follows tracker rights ------------------------------------------

    def _is_super(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, rights.SUPER_USER)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Queue]:
        queues = super().get_queryset(request)
        if self._is_super(request):
            return queues
        return queues.filter(
            pk__in=queues_with_any(request.user, QUEUE_PAGE_RIGHTS).values("pk")
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(
        self, request: HttpRequest, obj: Queue | None = None
    ) -> bool:
        if self._is_super(request):
            return True
        if obj is not None:
            return any(
                rights.has_right(request.user, r, obj) for r in QUEUE_PAGE_RIGHTS
            )
        return queues_with_any(request.user, QUEUE_PAGE_RIGHTS).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, rights.ADMIN_QUEUE)

    def has_change_permission(
        self, request: HttpRequest, obj: Queue | None = None
    ) -> bool:
        if obj is not None:
            return rights.has_right(request.user, rights.ADMIN_QUEUE, obj)
        return (
            self._is_super(request)
            or rights.queues_with_right(request.user, rights.ADMIN_QUEUE).exists()
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: Queue | None = None
    ) -> bool:
        # Deleting would drop the queue's grants and watchers without history, and is
        # refused once it has tickets; untick Active to disable it, as RT does.
        return False

    # --- read-only sections of the change page -----------------------------------

    @admin.display(description="Watchers")
    def watchers_table(self, obj: Queue) -> SafeString:
        watchers = QueueWatcher.objects.filter(queue=obj).select_related(
            "user", "group"
        )
        table = html_table(
            ["Role", "Watcher", "Kind", ""],
            (
                (
                    w.role,
                    object_link(w.user or w.group),
                    "user" if w.user_id else "group",
                    link(self._url("watcher_remove", obj.pk, w.pk), "Remove"),
                )
                for w in watchers.order_by("role", "group__name", "user__username")
            ),
            empty="Nobody watches this queue.",
        )
        return format_html(
            "{}<p>{}</p>",
            table,
            link(self._url("watcher_add", obj.pk), "Add a watcher"),
        )

    @admin.display(description="Rights")
    def rights_table(self, obj: Queue) -> SafeString:
        here = change_url(obj)
        grants = obj.grants.select_related("user", "group").order_by(
            "role", "group__name", "group_id", "user__username", "user_id", "right"
        )
        rows = [
            (
                label,
                format_html_join(
                    ", ",
                    '{} <a href="{}" title="Revoke">[revoke]</a>',
                    ((ace.right, revoke_url(ace, here)) for ace in aces),
                ),
            )
            for label, aces in groupby(grants, key=principal_label)
        ]
        matrix = reverse("admin:tracker_ace_matrix")
        changelist = reverse("admin:tracker_ace_changelist")
        return format_html(
            "{}<p>{} · {} · {}</p>",
            html_table(["Granted to", "Rights"], rows, empty="Nothing granted here."),
            link(grant_url(queue=obj.pk, next_url=here), "Grant a right on this queue"),
            link(f"{matrix}?{urlencode({'queue': obj.pk})}", "Matrix view"),
            link(
                f"{changelist}?queue=global",
                "Global grants (they apply to this queue too)",
            ),
        )

    # --- watcher pages, each calling one service ---------------------------------

    def _url(self, name: str, *args: object) -> str:
        return reverse(f"admin:queues_queue_{name}", args=args)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/watchers/add/",
                wrap(self.add_watcher_view),
                name="queues_queue_watcher_add",
            ),
            path(
                "<path:object_id>/watchers/<int:watcher_id>/remove/",
                wrap(self.remove_watcher_view),
                name="queues_queue_watcher_remove",
            ),
            *super().get_urls(),
        ]

    def _queue(self, request: HttpRequest, object_id: str) -> Queue:
        return viewable_object(self, request, object_id, "queue")

    def add_watcher_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        queue = self._queue(request, object_id)
        form = AddQueueWatcherForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            role = form.cleaned_data["role"]
            principal = form.principal()
            added = call_service(
                request,
                partial(
                    services.add_queue_watcher,
                    queue=queue,
                    role=role,
                    principal=principal,
                    actor=request.user,
                ),
                success=f"Added {principal} as {role} of {queue}.",
            )
            if added:
                return HttpResponseRedirect(change_url(queue))
        return render_page(
            self,
            request,
            FORM_TEMPLATE,
            title=f"Add a watcher to {queue}",
            obj=queue,
            form=form,
            submit_label="Add watcher",
            intro="Queue watchers get mail about every ticket of the queue: Cc gets "
            "replies, AdminCc gets replies and comments.",
        )

    def remove_watcher_view(
        self, request: HttpRequest, object_id: str, watcher_id: int
    ) -> HttpResponse:
        queue = self._queue(request, object_id)
        watcher = get_object_or_404(
            QueueWatcher.objects.select_related("user", "group"),
            pk=watcher_id,
            queue=queue,
        )
        principal = watcher.user or watcher.group
        if request.method == "POST":
            call_service(
                request,
                partial(
                    services.remove_queue_watcher,
                    queue=queue,
                    role=watcher.role,
                    principal=principal,
                    actor=request.user,
                ),
                success=f"Removed {principal} as {watcher.role} of {queue}.",
            )
            return HttpResponseRedirect(change_url(queue))
        return render_page(
            self,
            request,
            CONFIRM_TEMPLATE,
            title="Remove a watcher",
            obj=queue,
            question=f"Stop {principal} watching {queue} as {watcher.role}?",
            submit_label="Yes, remove",
        )


admin.site.register(Queue, QueueAccessAdmin)
