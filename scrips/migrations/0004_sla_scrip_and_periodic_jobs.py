"""New stock templates, the SLA scrip and the default periodic jobs (scrips/stock.py)."""

from django.db import migrations

from scrips.stock import DEFAULT_SCRIPS, PERIODIC_JOBS, STOCK_TEMPLATES


def forwards(apps, schema_editor):
    Template = apps.get_model("scrips", "Template")
    Scrip = apps.get_model("scrips", "Scrip")
    ScripQueue = apps.get_model("scrips", "ScripQueue")
    PeriodicJob = apps.get_model("scrips", "PeriodicJob")
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
    for name, task, every, (minute, hour, dow), kwargs, enabled in PERIODIC_JOBS:
        PeriodicJob.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "every_minutes": every,
                "crontab_minute": minute,
                "crontab_hour": hour,
                "crontab_day_of_week": dow,
                "kwargs": kwargs,
                "is_enabled": enabled,
            },
        )


def backwards(apps, schema_editor):
    PeriodicJob = apps.get_model("scrips", "PeriodicJob")
    PeriodicJob.objects.filter(name__in=[j[0] for j in PERIODIC_JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("scrips", "0003_webhooks_sla_schedules")]

    operations = [migrations.RunPython(forwards, backwards)]
