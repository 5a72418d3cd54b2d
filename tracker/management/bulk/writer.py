"""Fast row writers: COPY on PostgreSQL, batched INSERTs elsewhere.

They bypass the ORM (and so the services) on purpose: they exist to build large data sets
for benchmarks, and the generator that feeds them keeps the model's invariants itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Max, Model

FLUSH_EVERY = 20_000


def _sqlite_value(value: Any) -> Any:
    # Django stores aware datetimes on SQLite as naive UTC text.
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


class RowWriter:
    """Collects rows for one table and writes them in large batches."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.columns = [meta.get_field(name).column for name in fields]
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor, for COPY
                with raw.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({columns}) VALUES ({marks})",  # noqa: S608 - names come from model metadata
                    [tuple(_sqlite_value(v) for v in row) for row in self.rows],
                )
        self.written += len(self.rows)
        self.rows.clear()


def skip_foreign_key_checks() -> bool:
    """For the rest of the current database transaction, let PostgreSQL skip the
    (deferred) foreign-key triggers, as `pg_restore --disable-triggers` does: checking
    every generated row at COMMIT costs about a quarter of the load, and the generator
    only writes ids it has just written or read. Needs a superuser; returns whether it
    applied (elsewhere the checks simply run)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def estimated_rows(model: type[Model]) -> int:
    """PostgreSQL's estimate of a table's rows (free, unlike count(*)); 0 elsewhere."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@contextmanager
def indexes_rebuilt_after(models: Iterable[type[Model]]) -> Iterator[None]:
    """Drop the secondary indexes of `models`' tables (not those behind primary-key or
    unique constraints) and create them again at the end, in the same transaction.

    Building an index once from sorted rows is several times cheaper than updating it
    row by row, which is what dominates a large COPY (the full-text GIN index most of
    all). Worth it only when the load is large next to what the tables already hold;
    the caller decides. A no-op outside PostgreSQL."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in definitions:
            cursor.execute(definition)


def analyze(models: Iterable[type[Model]]) -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so that the next queries are
    planned for the tables as they now are rather than as they were (empty)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """After writing explicit ids, move PostgreSQL's identity sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - table from metadata
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )
