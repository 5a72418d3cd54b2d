"""Scrips and templates are admin-edited data; runs and the outbox are read-only logs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from scrips.actions import action_choices
from scrips.conditions import condition_choices
from scrips.models import Notification, Scrip, ScripQueue, ScripRun, Template
from scrips.rendering import TemplateError, render_template, template_context
from tracker.models import Ticket


class ScripForm(forms.ModelForm):
    condition = forms.ChoiceField(choices=condition_choices)
    action = forms.ChoiceField(choices=action_choices)

    class Meta:
        model = Scrip
        fields = [
            "description",
            "condition",
            "condition_argument",
            "action",
            "action_argument",
            "template",
            "is_active",
        ]


class ScripQueueInline(admin.TabularInline):
    model = ScripQueue
    extra = 1
    fields = ["queue", "stage", "sort_order"]


@admin.register(Scrip)
class ScripAdmin(admin.ModelAdmin):
    form = ScripForm
    inlines = [ScripQueueInline]
    list_display = ["description", "condition", "action", "template", "is_active"]
    list_filter = ["is_active", "condition", "action"]
    search_fields = ["description"]


class PreviewForm(forms.Form):
    ticket = forms.IntegerField(min_value=1, label="Ticket number")


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "queue", "description"]
    list_filter = ["queue"]
    search_fields = ["name", "description"]
    change_form_template = "admin/scrips/template/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="scrips_template_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Render the template against a chosen ticket's latest transaction; sends nothing."""
        template = get_object_or_404(Template, pk=pk)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        form = PreviewForm(request.GET or None)
        rendered, error = None, ""
        if form.is_valid():
            ticket = (
                Ticket.objects.select_related("queue", "owner")
                .filter(pk=form.cleaned_data["ticket"])
                .first()
            )
            txn = ticket.transactions.order_by("-id").first() if ticket else None
            if txn is None:
                error = "No such ticket."
            else:
                try:
                    rendered = render_template(
                        template.content, template_context(ticket=ticket, txn=txn)
                    )
                except TemplateError as exc:
                    error = str(exc)
                if rendered is None and not error:
                    error = "The template is empty: no mail would be sent."
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Preview of {template}",
            "opts": self.model._meta,
            "original": template,
            "form": form,
            "rendered": rendered,
            "error": error,
        }
        return TemplateResponse(request, "admin/scrips/template/preview.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScripRun)
class ScripRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "scrip", "transaction", "stage", "status", "created"]
    list_filter = ["status", "stage"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "ticket",
        "subject",
        "status",
        "attempts",
        "created",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["subject", "message_id"]
