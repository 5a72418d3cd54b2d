from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tracker.twofactor import services
from tracker.twofactor.models import TOTPDevice


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Who has a second factor; an administrator resets it for a user who lost the
    device (the user logs in with the password alone and may enrol again).
    The secret is never shown here."""

    list_display = ("user", "confirmed", "created_at", "confirmed_at")
    fields = ("user", "confirmed", "created_at", "confirmed_at")
    readonly_fields = fields
    search_fields = ("user__username", "user__email")
    actions = ["reset_two_factor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        services.reset(user=obj.user, actor=request.user)

    @admin.action(description="Reset two-factor login", permissions=["delete"])
    def reset_two_factor(
        self, request: HttpRequest, queryset: QuerySet[TOTPDevice]
    ) -> None:
        devices = list(queryset.select_related("user"))
        for device in devices:
            services.reset(user=device.user, actor=request.user)
        messages.success(request, f"Reset two-factor login for {len(devices)} user(s).")
