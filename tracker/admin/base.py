"""Shared pieces of the tracker admin: access from tracker rights, service calls, tables.

Who may open an admin page is decided by tracker rights (tracker/rights.py), never by
django.contrib.auth permissions, so rights are granted in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from tracker import rights
from tracker.errors import DomainError

FORM_TEMPLATE = "admin/tracker/service_form.html"
CONFIRM_TEMPLATE = "admin/tracker/confirm.html"


def call_service(
    request: HttpRequest, call: Callable[[], object], success: str
) -> bool:
    """Run one service call. A DomainError becomes an error message, never a 500.

    The services are atomic themselves, so a refused call has written nothing.
    """
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points back into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def viewable_object(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, what: str
) -> Model:
    """The object behind an admin sub-page (members, watchers), or 404 / 403."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(f"No such {what}.")
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    return obj


def change_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def link(url: str, text: object) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text)


def object_link(obj: Model | None) -> SafeString | str:
    return link(change_url(obj), obj) if obj is not None else "—"


def html_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str = "None."
) -> SafeString:
    """A plain admin table; cells are escaped unless already safe (links)."""
    rows = list(rows)
    if not rows:
        return format_html("<p>{}</p>", empty)
    cell_html = "".join("<td>{}</td>" for _ in headers)
    return format_html(
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        format_html_join("", "<th>{}</th>", ((h,) for h in headers)),
        format_html_join("", f"<tr>{cell_html}</tr>", rows),
    )


def render_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    template: str,
    *,
    title: str,
    obj: Model | None = None,
    **context: Any,
) -> TemplateResponse:
    """Render one of the small service pages inside the admin's frame."""
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "object": obj,
            **context,
        },
    )


class RightGatedAdmin(admin.ModelAdmin):
    """A configuration admin opened by one system right (SuperUser implies it)."""

    admin_right: str = rights.SUPER_USER

    def has_admin_right(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, self.admin_right)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_admin_right(request)

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.has_admin_right(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_admin_right(request)

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.has_admin_right(request)

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.has_admin_right(request)


class RightGatedInline(admin.TabularInline):
    """An editable inline under a RightGatedAdmin, opened by the same right."""

    admin_right: str = rights.SUPER_USER
    extra = 0

    def _allowed(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, self.admin_right)

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None) -> bool:
        return self._allowed(request)

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._allowed(request)

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._allowed(request)


def is_active_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History and tickets: viewable by staff, never added, changed or deleted here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_active_staff(request)

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return is_active_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return is_active_staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False
