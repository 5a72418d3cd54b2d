"""Load the shipped lifecycles ("default", "incident") and the maps between them."""

from __future__ import annotations

from django.db import migrations

from lifecycles.defaults import LIFECYCLES, MAPS

DESCRIPTIONS = {
    "default": "The standard ticket lifecycle: new, open, stalled, resolved, rejected, deleted.",
    "incident": "For CSIRTs: a declared incident must pass through closing and a post-incident review.",
}
FIELDS = ("type", "initial", "active", "inactive", "transitions", "rights", "actions", "defaults")


def create_shipped(apps, schema_editor):
    Lifecycle = apps.get_model("lifecycles", "Lifecycle")
    LifecycleMap = apps.get_model("lifecycles", "LifecycleMap")
    rows = {
        name: Lifecycle.objects.create(
            name=name,
            description=DESCRIPTIONS[name],
            **{field: definition[field] for field in FIELDS},
        )
        for name, definition in LIFECYCLES.items()
    }
    for (source, target), mapping in MAPS.items():
        LifecycleMap.objects.create(source=rows[source], target=rows[target], mapping=mapping)


def delete_shipped(apps, schema_editor):
    Lifecycle = apps.get_model("lifecycles", "Lifecycle")
    LifecycleMap = apps.get_model("lifecycles", "LifecycleMap")
    LifecycleMap.objects.filter(source__name__in=LIFECYCLES, target__name__in=LIFECYCLES).delete()
    Lifecycle.objects.filter(name__in=LIFECYCLES).delete()


class Migration(migrations.Migration):
    dependencies = [("lifecycles", "0001_initial")]

    operations = [migrations.RunPython(create_shipped, delete_shipped)]
