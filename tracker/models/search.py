"""Full-text search documents: the searchable text of each text part of a message.

On PostgreSQL `vector` is a tsvector that a database trigger computes from `content` on
every INSERT and UPDATE (with a GIN index; both created by migrations), so it is always
in step with `content` whoever writes the row. It is a trigger rather than a generated
column so that the bulk loader, which runs with triggers off, can copy vectors computed
once per distinct text. Elsewhere it is an unused placeholder and searches fall back to a
substring match on `content`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from tracker.models.tickets import Ticket
from tracker.models.transactions import Attachment

TEXT_SEARCH_CONFIG = "simple"
# A tsvector must stay under 1 MB; this many characters always fits.
MAX_INDEXED_CHARS = 100_000


class TsVectorField(models.Field):
    """A tsvector on PostgreSQL, text elsewhere. Written by the database's trigger."""

    description = "Full-text search vector"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class DocumentVector(models.Func):
    """to_tsvector over the first MAX_INDEXED_CHARS characters; NULL off PostgreSQL."""

    template = "NULL"
    output_field = TsVectorField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template=(
                f"to_tsvector('{TEXT_SEARCH_CONFIG}'::regconfig, "
                f"left(%(expressions)s, {MAX_INDEXED_CHARS}))"
            ),
            **extra,
        )


class SearchDocument(models.Model):
    """The text of one stored text part, kept for `Content` searches.

    Written in the same database transaction as its Attachment row. `ticket` is the
    ticket that holds the message: the one it was recorded on, or the ticket that one
    was merged into (`merge_tickets` moves the documents). `transaction_type` copies
    its transaction's type, so a search can leave out comments and mail records the
    user may not read without joining each document to its transaction.
    """

    attachment = models.OneToOneField(
        Attachment,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    transaction_type = models.CharField(max_length=32, editable=False)
    content = models.TextField()
    vector = TsVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return f"Search text of attachment #{self.attachment_id}"
