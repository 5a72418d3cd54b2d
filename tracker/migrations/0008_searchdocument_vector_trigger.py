"""The search vector moves from a generated column to a trigger-maintained one.

The trigger computes the same expression on every INSERT and UPDATE, so services keep
writing `content` only and the vector stays in step in the same database transaction.
The bulk loader runs with `session_replication_role = replica`, under which ordinary
triggers do not fire, and copies vectors computed once per distinct message text (a
generated column would recompute them row by row). Off PostgreSQL the column is an
unused placeholder, as before."""

from django.db import migrations

import tracker.models.search

GIN_INDEX = "searchdocument_vector_gin"
TABLE = "tracker_searchdocument"
FUNCTION = "tracker_searchdocument_vector"

CREATE = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.vector := to_tsvector('simple'::regconfig, left(NEW.content, 100000));
    RETURN NEW;
END
$$;
CREATE TRIGGER {FUNCTION} BEFORE INSERT OR UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
UPDATE {TABLE} SET content = content;
CREATE INDEX IF NOT EXISTS "{GIN_INDEX}" ON {TABLE} USING gin (vector);
"""
DROP = f"""
DROP TRIGGER IF EXISTS {FUNCTION} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def recreate_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{GIN_INDEX}" ON {TABLE} USING gin (vector)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_saved_search_columns"),
    ]

    operations = [
        # Reversed, this runs last and gives the re-added generated column its index.
        migrations.RunPython(migrations.RunPython.noop, recreate_gin_index),
        migrations.RemoveField(model_name="searchdocument", name="vector"),
        migrations.AddField(
            model_name="searchdocument",
            name="vector",
            field=tracker.models.search.TsVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
