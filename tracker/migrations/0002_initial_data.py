"""What a fresh database holds, as in RT: system principals, the General queue, and the
rights that make mail intake and self-service work out of the box."""

from django.db import migrations

SYSTEM_USERS = [
    ("Nobody", "Nobody in particular"),
    ("RT_System", "The tracker itself"),
]
SYSTEM_GROUPS = ["Everyone", "Privileged", "Unprivileged"]

# (principal kind, principal name, right, queue name or None for global)
DEFAULT_GRANTS = [
    ("group", "Everyone", "CreateTicket", "General"),
    ("group", "Everyone", "ReplyToTicket", "General"),
    ("role", "Requestor", "ShowTicket", None),
    ("role", "Requestor", "ReplyToTicket", None),
    ("group", "Everyone", "ModifySelf", None),
    ("group", "Privileged", "ShowSearchAdvanced", None),
    ("group", "Privileged", "ShowSearchBulkUpdate", None),
    ("group", "Privileged", "LoadSavedSearch", None),
    ("group", "Privileged", "CreateSavedSearch", None),
    ("group", "Privileged", "SeeOwnDashboard", None),
    ("group", "Privileged", "CreateOwnDashboard", None),
    ("group", "Privileged", "ModifyOwnDashboard", None),
    ("group", "Privileged", "DeleteOwnDashboard", None),
]


def forwards(apps, schema_editor):
    User = apps.get_model("tracker", "User")
    Group = apps.get_model("tracker", "Group")
    ACE = apps.get_model("tracker", "ACE")
    Queue = apps.get_model("queues", "Queue")
    Lifecycle = apps.get_model("lifecycles", "Lifecycle")

    for username, real_name in SYSTEM_USERS:
        User.objects.get_or_create(
            username=username,
            defaults={"is_system": True, "real_name": real_name, "password": "!"},
        )
    for name in SYSTEM_GROUPS:
        Group.objects.get_or_create(domain="system", name=name)
    general, _ = Queue.objects.get_or_create(
        name="General",
        defaults={
            "description": "The default queue",
            "lifecycle": Lifecycle.objects.get(name="default"),
        },
    )
    queues = {"General": general}
    for kind, name, right, queue_name in DEFAULT_GRANTS:
        principal = (
            {"group": Group.objects.get(domain="system", name=name), "role": ""}
            if kind == "group"
            else {"role": name}
        )
        ACE.objects.get_or_create(
            right=right, queue=queues.get(queue_name), **principal
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("queues", "0001_initial"),
        ("lifecycles", "0002_shipped_lifecycles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
