"""Queue configuration in the admin: the queue's own fields.

queues imports nothing from tracker, so this class holds only configuration. The tracker
admin (tracker/admin/queues.py) registers a subclass that adds the queue's watchers and
rights, which change only through tracker.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from queues.models import Queue


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = [
            "name",
            "description",
            "lifecycle",
            "is_active",
            "sort_order",
            "correspond_address",
            "comment_address",
            "subject_tag",
            "initial_priority",
            "final_priority",
            "default_due_days",
        ]

    def clean_lifecycle(self) -> object:
        lifecycle = self.cleaned_data["lifecycle"]
        if self.instance.pk is None or lifecycle.pk == self.instance.lifecycle_id:
            return lifecycle
        # Existing tickets keep their status; each must still be valid afterwards.
        valid = set(lifecycle.statuses)
        stranded = sorted(
            set(self.instance.tickets.values_list("status", flat=True)) - valid
        )
        if stranded:
            raise forms.ValidationError(
                f"Tickets of this queue have statuses the lifecycle "
                f"'{lifecycle.name}' lacks: {', '.join(stranded)}. Move or change "
                f"those tickets first."
            )
        return lifecycle


class QueueAdmin(admin.ModelAdmin):
    form = QueueForm
    list_display = [
        "name",
        "lifecycle",
        "correspond_address",
        "comment_address",
        "is_active",
        "ticket_count",
    ]
    list_select_related = ["lifecycle"]
    list_filter = ["is_active", "lifecycle"]
    search_fields = ["name"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "description", "lifecycle", "is_active", "sort_order"]},
        ),
        ("Mail", {"fields": ["correspond_address", "comment_address", "subject_tag"]}),
        (
            "Defaults for new tickets",
            {"fields": ["initial_priority", "final_priority", "default_due_days"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Queue]:
        return super().get_queryset(request).annotate(ticket_count=Count("tickets"))

    @admin.display(description="Tickets", ordering="ticket_count")
    def ticket_count(self, obj: Queue) -> int:
        return obj.ticket_count
