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
from scrips.models import (
    Notification,
    PeriodicJob,
    Scrip,
    ScripQueue,
    ScripRun,
    ServiceLevel,
    Template,
    WebhookDelivery,
)
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


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "ticket", "url", "status", "attempts", "response_code"]
    list_filter = ["status"]
    search_fields = ["event_id", "url"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "queue",
        "response_minutes",
        "keep_in_loop_minutes",
        "resolve_minutes",
        "business_hours_only",
    ]


class PeriodicJobForm(forms.ModelForm):
    class Meta:
        model = PeriodicJob
        fields = [
            "name",
            "task",
            "every_minutes",
            "crontab_minute",
            "crontab_hour",
            "crontab_day_of_week",
            "kwargs",
            "is_enabled",
        ]

    def clean(self) -> dict[str, Any]:
        from scrips.beat import job_schedule

        cleaned = super().clean()
        job = PeriodicJob(**{k: v for k, v in cleaned.items() if k in self.Meta.fields})
        try:
            job_schedule(job)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(f"Not a valid schedule: {exc}") from exc
        from tracker.celery import app

        app.loader.import_default_modules()
        if cleaned.get("task") and cleaned["task"] not in app.tasks:
            raise forms.ValidationError(f"There is no task called '{cleaned['task']}'.")
        return cleaned


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    """Schedules of the periodic jobs; beat picks up a change within a minute."""

    form = PeriodicJobForm
    list_display = [
        "name",
        "task",
        "every_minutes",
        "crontab_minute",
        "crontab_hour",
        "crontab_day_of_week",
        "is_enabled",
        "last_run_at",
    ]
    list_editable = ["is_enabled"]
