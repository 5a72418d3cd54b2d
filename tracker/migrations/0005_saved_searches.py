import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    # The brief asked for a dependency on 0002_initial_data; 0003 and 0004 already form a
    # line after it, so this follows 0004 to keep a single leaf until the graph is merged.
    dependencies = [
        ("tracker", "0004_auth_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("query", models.TextField(blank=True)),
                ("order_by", models.CharField(default="LastUpdated", max_length=64)),
                ("order", models.CharField(default="DESC", max_length=4)),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shared with the members of this group; empty means private.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_searches",
                        to="tracker.group",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_searches",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner", "name"), name="savedsearch_owner_name_unique"
                    )
                ],
            },
        ),
    ]
