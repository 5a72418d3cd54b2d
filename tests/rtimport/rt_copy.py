"""Copies of the RT 5 test database (PostgreSQL `rt5`) into RT's own MySQL and SQLite
schemas, so that import_rt is tested on each database RT supports.

The schemas are the ones Debian's request-tracker5 installs
(/usr/share/request-tracker5/etc/schema.mysql and schema.SQLite), run as they are; the
rows are copied table by table, with the values RT wrote on PostgreSQL (attachments
keep their ContentEncoding, which RT honours on every database).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RT_SCHEMAS = Path("/usr/share/request-tracker5/etc")
# Web sessions: nothing the import reads.
NOT_COPIED = {"sessions"}
BATCH = 500


def schema_statements(name: str) -> list[str]:
    """The statements of RT's schema file `schema.<name>`, comments removed."""
    text = (RT_SCHEMAS / f"schema.{name}").read_text()
    lines = [
        re.sub(r"\s#.*$", "", line)
        for line in text.splitlines()
        if not line.lstrip().startswith(("--", "#"))
    ]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _pg_rows(pg: Any, table: str) -> Iterator[tuple[list[str], list[tuple]]]:
    with pg.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - names from the catalogue
        columns = [d[0] for d in cur.description]
        while batch := cur.fetchmany(BATCH):
            yield columns, batch


def _pg_tables(pg: Any) -> list[str]:
    with pg.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        return sorted(r[0] for r in cur.fetchall())


def _copy(pg: Any, target: Any, placeholder: str, tables: dict[str, str]) -> None:
    """Rows of every PostgreSQL table into the target table of the same name
    (`tables` maps lower-case names to the target's spelling)."""
    cursor = target.cursor()
    for table in _pg_tables(pg):
        if table in NOT_COPIED or table not in tables:
            continue
        for columns, batch in _pg_rows(pg, table):
            sql = (
                f"INSERT INTO {tables[table]} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join([placeholder] * len(columns))})"
            )
            cursor.executemany(sql, batch)
    target.commit()


def make_sqlite_copy(pg: Any, path: Path) -> str:
    """An SQLite RT database at `path` holding the rows of `pg`; returns its URL."""
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    for statement in schema_statements("SQLite"):
        target.execute(statement)
    names = [
        r[0]
        for r in target.execute("SELECT name FROM sqlite_master WHERE type='table'")
    ]
    _copy(pg, target, "?", {n.lower(): n for n in names})
    target.close()
    return f"sqlite:///{path}"


def make_mysql_copy(pg: Any, host: str, port: int, user: str, database: str) -> str:
    """A MySQL/MariaDB RT database `database` holding the rows of `pg`; returns its URL."""
    import pymysql

    server = pymysql.connect(host=host, port=port, user=user, charset="utf8mb4")
    with server.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    server.close()
    target = pymysql.connect(
        host=host, port=port, user=user, database=database, charset="utf8mb4"
    )
    with target.cursor() as cur:
        # Copy what RT wrote on PostgreSQL as it is.
        cur.execute("SET SESSION sql_mode = ''")
        for statement in schema_statements("mysql"):
            cur.execute(statement)
        cur.execute("SHOW TABLES")
        names = [r[0] for r in cur.fetchall()]
    _copy(pg, target, "%s", {n.lower(): n for n in names})
    target.close()
    return f"mysql://{user}@{host}:{port}/{database}"


def drop_mysql_copy(host: str, port: int, user: str, database: str) -> None:
    import pymysql

    server = pymysql.connect(host=host, port=port, user=user)
    with server.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
    server.close()
