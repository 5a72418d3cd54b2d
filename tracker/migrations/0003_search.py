"""Full-text search documents. The GIN index exists only on PostgreSQL; elsewhere
searches fall back to a substring match, so the migration runs on SQLite unchanged."""

import html

import django.db.models.deletion
import nh3
from django.db import migrations, models

import tracker.models.search

GIN_INDEX = "searchdocument_vector_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("tracker", "SearchDocument")._meta.db_table
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{GIN_INDEX}" ON "{table}" USING gin ("vector")'
    )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{GIN_INDEX}"')


def index_existing_messages(apps, schema_editor):
    Attachment = apps.get_model("tracker", "Attachment")
    SearchDocument = apps.get_model("tracker", "SearchDocument")
    parts = (
        Attachment.objects.exclude(content="")
        .filter(transaction__ticket__isnull=False)
        .values_list("pk", "transaction__ticket_id", "content_type", "content")
    )
    batch = []
    for pk, ticket_id, content_type, content in parts.iterator(chunk_size=500):
        if content_type == "text/html":
            content = html.unescape(nh3.clean(content, tags=set()))
        batch.append(
            SearchDocument(attachment_id=pk, ticket_id=ticket_id, content=content)
        )
        if len(batch) >= 500:
            SearchDocument.objects.bulk_create(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_initial_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "attachment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="tracker.attachment",
                    ),
                ),
                ("content", models.TextField()),
                (
                    "vector",
                    models.GeneratedField(
                        db_persist=True,
                        expression=tracker.models.search.DocumentVector("content"),
                        output_field=tracker.models.search.TsVectorField(),
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracker.ticket",
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(index_existing_messages, migrations.RunPython.noop),
    ]
