"""Query plans of typical TicketSQL searches, for checking that each one is a single SQL
statement that PostgreSQL answers through indexes.

`explain_search(user, query)` compiles a search as `user` (rights filter included),
counts the SQL statements that evaluating it runs, and returns PostgreSQL's EXPLAIN
output with the indexes it uses and the tables it reads in full. The
`explain_ticketsql` management command runs the typical queries and writes a report.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.models import User
from tracker.ticketsql.engine import search

# The typical searches of a helpdesk; {queue}, {email} and {choice} are filled from
# the data set (a queue name, part of a requestor's address, a custom field value).
TYPICAL_QUERIES = (
    "Queue = '{queue}' AND Status = '__Active__'",
    "Owner = '__CurrentUser__'",
    "Requestor.EmailAddress LIKE '{email}'",
    "Created > '7 days ago'",
    "CF.{{{custom_field}}} = '{choice}'",
    "Content LIKE 'timeout'",
)
PAGE_SIZE = 50
_INDEX = re.compile(
    r"Index(?: Only)? Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)"
)
_SEQ = re.compile(r"Seq Scan on (\w+)")


@dataclass(frozen=True)
class Plan:
    query: str
    sql: str
    statements: int  # SQL statements run to evaluate the first page
    text: str  # EXPLAIN (or EXPLAIN ANALYZE) output
    indexes: tuple[str, ...]
    seq_scans: tuple[str, ...]
    milliseconds: float  # wall time of the first page
    count_milliseconds: float = 0.0  # wall time of counting every match (the pager's)

    @property
    def uses_index(self) -> bool:
        return bool(self.indexes)


def explain_search(user: User, query: str, *, analyze: bool = False) -> Plan:
    """Plan of the first page of `query` searched as `user`, newest first by id."""
    if connection.vendor != "postgresql":
        raise RuntimeError("Query plans are checked on PostgreSQL only.")
    found = search(user, query, order_by="id", order="DESC")
    page = found[:PAGE_SIZE]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        list(page)
        milliseconds = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    found.count()
    count_milliseconds = (time.perf_counter() - started) * 1000
    try:
        sql, params = page.query.sql_with_params()
    except EmptyResultSet:  # provably empty (e.g. no right to see the field): no SQL
        return Plan(
            query,
            "",
            len(captured.captured_queries),
            "",
            (),
            (),
            milliseconds,
            count_milliseconds,
        )
    verb = "EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF)" if analyze else "EXPLAIN"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    indexes = tuple(
        dict.fromkeys(a or b for a, b in _INDEX.findall(text))
    )  # in plan order, once each
    seq_scans = tuple(dict.fromkeys(_SEQ.findall(text)))
    return Plan(
        query=query,
        sql=sql,
        statements=len(captured.captured_queries),
        text=text,
        indexes=indexes,
        seq_scans=seq_scans,
        milliseconds=milliseconds,
        count_milliseconds=count_milliseconds,
    )
