"""Custom fields, their choices, and the queues they apply to (plain configuration)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tracker import rights
from tracker.admin.base import RightGatedAdmin, RightGatedInline
from tracker.admin.forms import CustomFieldAdminForm
from tracker.models import CustomField, CustomFieldChoice, QueueCustomField


class CustomFieldChoiceInline(RightGatedInline):
    admin_right = rights.ADMIN_CUSTOM_FIELDS
    model = CustomFieldChoice
    fields = ["name", "description", "sort_order"]


class ApplicationForm(forms.ModelForm):
    def has_changed(self) -> bool:
        # A row added with "All queues" keeps every default, yet it is meant: the inline
        # shows no blank rows (extra = 0), so each new row was added on purpose.
        return self.instance.pk is None or super().has_changed()


class ApplicationFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """One application per queue, and at most one global one.

        The database constraints are conditional, which model validation of an inline
        form does not check, so a duplicate would otherwise fail on save.
        """
        super().clean()
        seen: set[int | None] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            queue = data.get("queue")
            key = queue.pk if queue else None
            if key in seen:
                where = f"the queue {queue}" if queue else "all queues"
                raise forms.ValidationError(f"The field is applied to {where} twice.")
            seen.add(key)


class QueueCustomFieldInline(RightGatedInline):
    admin_right = rights.ADMIN_CUSTOM_FIELDS
    model = QueueCustomField
    form = ApplicationForm
    formset = ApplicationFormSet
    fields = ["queue", "sort_order"]
    verbose_name = "application"
    verbose_name_plural = "Applies to"

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field:
        if db_field.name == "queue":
            kwargs["empty_label"] = "All queues"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CustomField)
class CustomFieldAdmin(RightGatedAdmin):
    admin_right = rights.ADMIN_CUSTOM_FIELDS
    form = CustomFieldAdminForm
    list_display = [
        "name",
        "type",
        "lookup_type",
        "max_values",
        "applies_to",
        "is_active",
    ]
    list_filter = ["type", "lookup_type", "is_active"]
    search_fields = ["name", "description"]
    fieldsets = [
        (None, {"fields": ["name", "description", "type", "lookup_type", "is_active"]}),
        (
            "Values",
            {"fields": ["max_values", "pattern", "pattern_description", "sort_order"]},
        ),
    ]
    inlines = [CustomFieldChoiceInline, QueueCustomFieldInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomField]:
        return super().get_queryset(request).prefetch_related("applications__queue")

    @admin.display(description="Applies to")
    def applies_to(self, obj: CustomField) -> str:
        names = [
            app.queue.name if app.queue_id else "All queues"
            for app in obj.applications.all()
        ]
        return ", ".join(names) or "Nothing yet"
