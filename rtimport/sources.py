"""Where RT records come from: its database (PostgreSQL, MySQL/MariaDB or SQLite) or
its REST 2.0 API. Both give plain dicts with RT's column names in lower case, so the
importer does not care which one it reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlparse

Row = dict[str, Any]


class Source(Protocol):
    name: str

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Row]: ...

    def close(self) -> None: ...


class DatabaseSource:
    """Reads RT's tables with plain SQL. Table names are written as RT's schema spells
    them (`Tickets`): PostgreSQL folds them to lower case, SQLite ignores case and
    MySQL, where case matters, has them exactly so. Placeholders are `%s`, rewritten
    for SQLite."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.scheme = parsed.scheme.split("+")[0]
        if self.scheme in ("postgres", "postgresql", "pgsql"):
            import psycopg

            self.connection = psycopg.connect(url.replace("pgsql://", "postgres://"))
            self.connection.read_only = True
            self.name = f"pg:{parsed.hostname or 'local'}/{parsed.path.lstrip('/')}"
        elif self.scheme in ("mysql", "mariadb"):
            try:
                import pymysql  # type: ignore[import-not-found]
            except ImportError as exc:  # pragma: no cover - depends on the extra
                raise RuntimeError(
                    "Reading RT from MySQL needs PyMySQL: pip install 'tracker[mysql]'."
                ) from exc
            self.connection = pymysql.connect(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 3306,
                user=unquote(parsed.username or ""),
                password=unquote(parsed.password or ""),
                database=parsed.path.lstrip("/"),
                charset="utf8mb4",
            )
            self.name = f"mysql:{parsed.hostname}/{parsed.path.lstrip('/')}"
        elif self.scheme == "sqlite":
            # sqlite:////var/lib/rt/rt5.db is absolute, sqlite:///rt5.db relative.
            path = unquote(parsed.path)[1:]
            self.connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
            self.name = f"sqlite:{path}"
        else:
            raise ValueError(f"Unsupported RT database URL scheme: {parsed.scheme}")

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Row]:
        if self.scheme == "sqlite":
            sql = sql.replace("%s", "?")
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            names = [d[0].lower() for d in cursor.description]
            while batch := cursor.fetchmany(500):
                for values in batch:
                    yield dict(zip(names, values, strict=True))
        finally:
            cursor.close()

    def has_table(self, name: str) -> bool:
        """Whether RT's schema has this table (Configurations is new in RT 5)."""
        if self.scheme == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(%s)"
        elif self.scheme in ("mysql", "mariadb"):
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND lower(table_name) = lower(%s)"
            )
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND lower(table_name) = lower(%s)"
            )
        return any(True for _ in self.rows(sql, (name,)))

    def close(self) -> None:
        self.connection.close()
