"""RT's stock templates and default global scrips (see scrips/stock.py)."""

from django.db import migrations

from scrips.stock import DEFAULT_SCRIPS, STOCK_TEMPLATES


def forwards(apps, schema_editor):
    Template = apps.get_model("scrips", "Template")
    Scrip = apps.get_model("scrips", "Scrip")
    ScripQueue = apps.get_model("scrips", "ScripQueue")
    for name, description, content in STOCK_TEMPLATES:
        Template.objects.get_or_create(
            queue=None,
            name=name,
            defaults={"description": description, "content": content},
        )
    for order, (description, condition, argument, action, template) in enumerate(
        DEFAULT_SCRIPS
    ):
        scrip, created = Scrip.objects.get_or_create(
            description=description,
            defaults={
                "condition": condition,
                "condition_argument": argument,
                "action": action,
                "template": template,
            },
        )
        if created:
            ScripQueue.objects.create(
                scrip=scrip, queue=None, stage="TransactionCreate", sort_order=order
            )


def backwards(apps, schema_editor):
    Scrip = apps.get_model("scrips", "Scrip")
    Template = apps.get_model("scrips", "Template")
    Scrip.objects.filter(description__in=[s[0] for s in DEFAULT_SCRIPS]).delete()
    Template.objects.filter(
        queue=None, name__in=[t[0] for t in STOCK_TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scrips", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
