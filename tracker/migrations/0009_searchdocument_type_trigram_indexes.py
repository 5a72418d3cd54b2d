"""Faster TicketSQL searches on PostgreSQL.

Search documents carry their transaction's type, and the ticket that holds them: a
Content search then hides comments and mail records from users who may not read them
with a condition on the document itself (instead of joining every matching document to
its transaction), and finds a merged ticket's messages under the survivor through the
same `ticket_id` (merge_tickets moves the documents from now on), so the match is one
semi-join that PostgreSQL can run either from the GIN index or newest ticket first.

Trigram indexes serve `LIKE`, TicketSQL's case-insensitive substring match, which
Django compiles to `UPPER(column::text) LIKE UPPER('%…%')` and no b-tree can serve:
each index is on exactly that expression with pg_trgm's GIN operator class
(`Requestor.EmailAddress LIKE`, the user's Name and RealName, `Subject LIKE`). pg_trgm
ships with PostgreSQL (contrib) and is a trusted extension, so the database owner may
create it. On other databases only the column is added and filled.
"""

from django.db import migrations, models

DOCUMENTS = "tracker_searchdocument"
# index name -> (table, column)
TRIGRAM_INDEXES = {
    "user_email_trgm": ("tracker_user", "email"),
    "user_username_trgm": ("tracker_user", "username"),
    "user_real_name_trgm": ("tracker_user", "real_name"),
    "ticket_subject_trgm": ("tracker_ticket", "subject"),
}


def fill_documents(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Neither column feeds the vector: keep its trigger from recomputing each row.
        # The deferred foreign-key checks of the moved rows run before re-enabling.
        schema_editor.execute(f"ALTER TABLE {DOCUMENTS} DISABLE TRIGGER USER")
        schema_editor.execute(
            f"UPDATE {DOCUMENTS} d SET transaction_type = t.type, "
            "ticket_id = COALESCE(k.merged_into_id, d.ticket_id) "
            "FROM tracker_attachment a, tracker_transaction t, tracker_ticket k "
            "WHERE a.id = d.attachment_id AND t.id = a.transaction_id "
            "AND k.id = d.ticket_id"
        )
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {DOCUMENTS} ENABLE TRIGGER USER")
        schema_editor.execute(f"ANALYZE {DOCUMENTS}")
        return
    SearchDocument = apps.get_model("tracker", "SearchDocument")
    documents = SearchDocument.objects.select_related("attachment__transaction", "ticket")
    for document in documents.iterator():
        document.transaction_type = document.attachment.transaction.type
        document.ticket_id = document.ticket.merged_into_id or document.ticket_id
        document.save(update_fields=["transaction_type", "ticket"])


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # pg_trgm stays installed: dropping an extension is the database owner's call.


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_searchdocument_vector_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="transaction_type",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
