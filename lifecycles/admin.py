"""Admin for lifecycles and maps: JSON edited as indented text, validated by the models' clean()."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from lifecycles import engine, registry
from lifecycles.models import Lifecycle, LifecycleMap


class PrettyJSONField(forms.JSONField):
    """Shows stored JSON indented, so lists of transitions and actions stay readable."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value  # give back what was typed so it can be fixed
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


JSON_FORMFIELD = {
    models.JSONField: {
        "form_class": PrettyJSONField,
        "widget": forms.Textarea(
            attrs={"rows": 12, "cols": 90, "class": "vLargeTextField"}
        ),
    }
}


class _BumpVersionOnSave(admin.ModelAdmin):
    """Other processes cache lifecycles; announce a change once it is committed.

    Bumping before the commit would let another process reload the old rows under the new
    version and keep them until the next edit.
    """

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(registry.bump_version)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(registry.bump_version)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(registry.bump_version)


@admin.register(Lifecycle)
class LifecycleAdmin(_BumpVersionOnSave):
    list_display = ["name", "type", "status_counts", "updated"]
    search_fields = ["name", "description"]
    readonly_fields = ["summary", "updated"]
    formfield_overrides = JSON_FORMFIELD
    fieldsets = [
        (None, {"fields": ["name", "type", "description", "summary", "updated"]}),
        ("Statuses", {"fields": ["initial", "active", "inactive"]}),
        ("Rules", {"fields": ["transitions", "rights", "actions", "defaults"]}),
    ]

    @admin.display(description="Statuses (initial / active / inactive)")
    def status_counts(self, obj: Lifecycle) -> str:
        return " / ".join(
            str(len(part)) if isinstance(part, list) else "?"
            for part in (obj.initial, obj.active, obj.inactive)
        )

    @admin.display(description="Summary")
    def summary(self, obj: Lifecycle) -> SafeString | str:
        if obj.pk is None:
            return "Shown once the lifecycle is saved."
        try:
            lifecycle = obj.as_engine()
        except engine.LifecycleError as exc:
            return format_html(
                "<p>This lifecycle is invalid:</p><ul>{}</ul>",
                format_html_join("", "<li>{}</li>", ((e,) for e in exc.errors)),
            )
        return format_html(
            "<dl>{}</dl><p>Created as: {} (default {})</p>{}",
            _categories_html(lifecycle),
            ", ".join(lifecycle.creatable_statuses()),
            lifecycle.default_create_status(),
            _transition_table_html(lifecycle),
        )


def _categories_html(lifecycle: engine.Lifecycle) -> SafeString:
    return format_html_join(
        "",
        "<dt>{}</dt><dd>{}</dd>",
        (
            (category.value.capitalize(), ", ".join(statuses) or "—")
            for category, statuses in zip(
                engine.StatusCategory,
                (lifecycle.initial, lifecycle.active, lifecycle.inactive),
                strict=True,
            )
        ),
    )


def _transition_table_html(lifecycle: engine.Lifecycle) -> SafeString:
    rows = (
        (
            old,
            new,
            lifecycle.required_right(old, new),
            "; ".join(
                f"{a.label} ({a.update})" if a.update else a.label
                for a in lifecycle.actions_for(old)
                if a.to_status == new
            ),
        )
        for old in lifecycle.statuses
        for new in lifecycle.next_statuses(old)
    )
    return format_html(
        "<table><thead><tr><th>From</th><th>To</th><th>Right needed</th><th>Actions</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        ),
    )


@admin.register(LifecycleMap)
class LifecycleMapAdmin(_BumpVersionOnSave):
    list_display = ["__str__", "source", "target", "mapped_count"]
    list_select_related = ["source", "target"]
    formfield_overrides = JSON_FORMFIELD

    @admin.display(description="Statuses mapped")
    def mapped_count(self, obj: LifecycleMap) -> int:
        return len(obj.mapping) if isinstance(obj.mapping, dict) else 0
