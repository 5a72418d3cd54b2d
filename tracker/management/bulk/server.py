"""PostgreSQL's fast path: the database expands the plans into rows itself.

Python sends small pools (plans, subjects, message bodies with their search vectors, the
queues) into temporary tables; then one INSERT ... SELECT per table and per chunk of
tickets joins a `generate_series` of tickets to them. Per-ticket choices (queue, plan,
requestor, staff shift, subject, dates) come from a seeded hash of the ticket's number,
so a run is reproducible. PostgreSQL writes a few hundred thousand such rows a second,
where building them in Python and sending them over COPY managed a tenth of that.

Each distinct body is vectorised once (`to_tsvector` per message dominated the load);
a message's vector is its body's vector joined with that of its optional case reference,
which is exactly `to_tsvector` of the whole text (tsvector concatenation shifts the
positions of the right side past the left's last word). tests/bench checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from tracker.management.bulk.plans import NOBODY, REQUESTOR, Plan
from tracker.models import (
    Attachment,
    CustomFieldValue,
    Link,
    SearchDocument,
    Ticket,
    TicketWatcher,
    Transaction,
)
from tracker.models.search import MAX_INDEXED_CHARS, TEXT_SEARCH_CONFIG

CHUNK = 10_000  # tickets per statement: progress steps, and bounded work_mem per join


@dataclass(frozen=True)
class Pools:
    """What the rows are drawn from; staff and customers are contiguous id ranges."""

    families: list[list[int]]  # plan numbers per lifecycle family
    long_plans: list[int]
    plans: list[Plan]
    queues: list[tuple[int, int, int, int]]  # id, family, initial and final priority
    subjects: list[str]
    bodies: list[str]
    first_staff: int
    staff_count: int
    first_customer: int
    customer_count: int
    nobody: int
    system: int
    custom_field: int
    incident_types: list[str]


@dataclass(frozen=True)
class Counts:
    tickets: int
    transactions: int
    attachments: int


def _copy(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _columns(model: type, fields: Sequence[str]) -> str:
    return ", ".join(model._meta.get_field(name).column for name in fields)


def _stage(pools: Pools, seed: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION pg_temp.bench_h(n bigint, k int) RETURNS bigint "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
            f"'SELECT hashint8extended(n, k + {int(seed) * 64}) & 9223372036854775807'"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_body (idx int PRIMARY KEY, content text, "
            "vector tsvector) ON COMMIT DROP;"
            "CREATE TEMP TABLE bench_subject (idx int PRIMARY KEY, subject text) "
            "ON COMMIT DROP;"
            "CREATE TEMP TABLE bench_queue (idx int PRIMARY KEY, id bigint, family int, "
            "initial_priority int, final_priority int) ON COMMIT DROP;"
            "CREATE TEMP TABLE bench_plan (plan int PRIMARY KEY, length int, "
            "messages int, status text, owner int, worked int, started int, "
            "resolved int, told int, last_minute int, last_actor int, age int) "
            "ON COMMIT DROP;"
            "CREATE TEMP TABLE bench_step (plan int, seq int, kind text, actor int, "
            "minute int, field text, old text, new text, old_slot int, new_slot int, "
            "taken int, body int, message int) ON COMMIT DROP"
        )
    _copy("bench_body", ["idx", "content"], list(enumerate(pools.bodies)))
    _copy("bench_subject", ["idx", "subject"], list(enumerate(pools.subjects)))
    _copy(
        "bench_queue",
        ["idx", "id", "family", "initial_priority", "final_priority"],
        [(i, *q) for i, q in enumerate(pools.queues)],
    )
    _copy(
        "bench_plan",
        ["plan", "length", "messages", "status", "owner", "worked", "started",
         "resolved", "told", "last_minute", "last_actor", "age"],
        [
            (n, len(p.steps), p.messages, p.status, p.owner, p.worked, p.started,
             p.resolved, p.told, p.last.minute, p.last.actor, p.age)
            for n, p in enumerate(pools.plans)
        ],
    )  # fmt: skip
    _copy(
        "bench_step",
        ["plan", "seq", "kind", "actor", "minute", "field", "old", "new", "old_slot",
         "new_slot", "taken", "body", "message"],
        [
            (n, i, s.kind, s.actor, s.minute, s.field, s.old, s.new, s.old_slot,
             s.new_slot, s.taken, s.body, s.message)
            for n, p in enumerate(pools.plans)
            for i, s in enumerate(p.steps)
        ],
    )  # fmt: skip
    with connection.cursor() as cursor:
        # Once per distinct body, not once per message.
        cursor.execute(
            "UPDATE bench_body SET vector = to_tsvector("  # noqa: S608 - constants
            f"'{TEXT_SEARCH_CONFIG}'::regconfig, left(content, {MAX_INDEXED_CHARS}))"
        )
        cursor.execute(
            "ANALYZE bench_body, bench_subject, bench_queue, bench_plan, bench_step"
        )


def _tickets_table(
    pools: Pools, tickets: int, ids: dict[str, int], now: datetime
) -> None:
    """One row per ticket with its choices and the first ids of its rows."""
    families = pools.families
    first = ",".join(str(f[0]) for f in families)
    count = ",".join(str(len(f)) for f in families)
    long_first = pools.long_plans[0] if pools.long_plans else 0
    sql = f"""
        CREATE TEMP TABLE bench_t ON COMMIT DROP AS
        SELECT n, {ids["ticket"]} + n AS id, plan, queue_id, initial_priority,
               final_priority, requestor, shift, body_shift, subject_idx, created,
               {ids["transaction"]} + sum(length) OVER w - length AS txn_start,
               {ids["attachment"]} + sum(messages) OVER w - messages AS att_start
        FROM (
            SELECT g.n, p.plan, q.id AS queue_id, q.initial_priority, q.final_priority,
                   {pools.first_customer} + pg_temp.bench_h(g.n, 3) % {pools.customer_count}
                       AS requestor,
                   pg_temp.bench_h(g.n, 4) % {pools.staff_count} AS shift,
                   pg_temp.bench_h(g.n, 5) % {len(pools.bodies)} AS body_shift,
                   pg_temp.bench_h(g.n, 6) % {len(pools.subjects)} AS subject_idx,
                   '{now.isoformat()}'::timestamptz
                       - (p.age + pg_temp.bench_h(g.n, 7) % 1440) * interval '1 minute'
                       AS created,
                   p.length, p.messages
            FROM generate_series(0, {tickets - 1}) g(n)
            JOIN bench_queue q ON q.idx = CASE
                WHEN g.n < {len(pools.long_plans)} THEN g.n % {len(pools.queues)}
                ELSE pg_temp.bench_h(g.n, 1) % {len(pools.queues)} END
            JOIN bench_plan p ON p.plan = CASE
                WHEN g.n < {len(pools.long_plans)} THEN {long_first} + g.n
                ELSE (ARRAY[{first}])[q.family + 1]
                     + pg_temp.bench_h(g.n, 2) % (ARRAY[{count}])[q.family + 1] END
        ) x
        WINDOW w AS (ORDER BY n)
    """  # noqa: S608 - integers computed here
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.execute("CREATE INDEX ON bench_t (n); ANALYZE bench_t")


def _person(slot: str, pools: Pools) -> str:
    return (
        f"CASE WHEN {slot} = {REQUESTOR} THEN t.requestor "
        f"WHEN {slot} = {NOBODY} THEN {pools.nobody} "
        f"ELSE {pools.first_staff} + ({slot} + t.shift) % {pools.staff_count} END"
    )


def _statements(pools: Pools) -> list[str]:
    minute = "* interval '1 minute'"
    has_ref = "pg_temp.bench_h(a.id, 8) % 4 = 0"
    ref_number = "(10000 + pg_temp.bench_h(a.id, 9) % 90000)"
    chunk = "t.n >= :start AND t.n < :end"
    owner, last_actor = _person("p.owner", pools), _person("p.last_actor", pools)
    actor = _person("s.actor", pools)
    old_owner, new_owner = _person("s.old_slot", pools), _person("s.new_slot", pools)
    customer = (
        f"{pools.first_customer} + pg_temp.bench_h(t.n, 14) % {pools.customer_count}"
    )
    types = ",".join(f"'{name}'" for name in pools.incident_types)
    type_count = len(pools.incident_types)
    ticket_columns = _columns(Ticket, [
        "id", "type", "queue", "subject", "status", "owner", "priority",
        "initial_priority", "final_priority", "time_estimated", "time_worked",
        "time_left", "started", "resolved", "told", "due", "created", "creator",
        "last_updated", "last_updated_by"])  # fmt: skip
    transaction_columns = _columns(Transaction, [
        "id", "ticket", "object_type", "object_id", "type", "field", "old_value",
        "new_value", "data", "time_taken", "creator", "created"])  # fmt: skip
    attachment_columns = _columns(Attachment, [
        "id", "transaction", "message_id", "subject", "filename", "content_type",
        "headers", "content", "file", "size", "creator", "created"])  # fmt: skip
    document_columns = _columns(
        SearchDocument,
        ["attachment", "ticket", "transaction_type", "content", "vector"],
    )
    watcher_columns = _columns(TicketWatcher, ["ticket", "role", "user"])
    value_columns = _columns(CustomFieldValue, [
        "custom_field", "ticket", "content", "sort_key", "sort_key_high", "creator",
        "created"])  # fmt: skip
    link_columns = _columns(
        Link, ["type", "base", "target", "target_uri", "creator", "created"]
    )
    messages = f"""
        SELECT a.*, b.content || CASE WHEN {has_ref}
                   THEN ' Our reference is CASE' || {ref_number} || '.' ELSE '' END
                   AS content,
               b.vector || CASE WHEN {has_ref}
                   THEN ('our:1 reference:2 is:3 case' || {ref_number} || ':4')::tsvector
                   ELSE ''::tsvector END AS vector
        FROM (
            SELECT t.att_start + s.message AS id, t.txn_start + s.seq AS txn,
                   t.id AS ticket, s.kind, t.subject_idx, {actor} AS actor,
                   (s.body + t.body_shift) % {len(pools.bodies)} AS body,
                   t.created + s.minute {minute} AS created
            FROM bench_t t JOIN bench_step s ON s.plan = t.plan
            WHERE {chunk} AND s.message >= 0
        ) a JOIN bench_body b ON b.idx = a.body
    """  # noqa: S608 - integers computed here
    tickets = f"""
        INSERT INTO {Ticket._meta.db_table} ({ticket_columns})
        SELECT t.id, 'ticket', t.queue_id, sub.subject, p.status, {owner},
               pg_temp.bench_h(t.n, 10) % 61, t.initial_priority, t.final_priority, 0,
               p.worked, 0, t.created + p.started {minute},
               t.created + p.resolved {minute}, t.created + p.told {minute},
               CASE WHEN pg_temp.bench_h(t.n, 11) % 10 < 3 THEN t.created
                    + (1 + pg_temp.bench_h(t.n, 12) % 14) * interval '1 day' END,
               t.created, t.requestor, t.created + p.last_minute {minute}, {last_actor}
        FROM bench_t t JOIN bench_plan p ON p.plan = t.plan
        JOIN bench_subject sub ON sub.idx = t.subject_idx
        WHERE {chunk}
    """  # noqa: S608 - integers computed here
    transactions = f"""
        INSERT INTO {Transaction._meta.db_table} ({transaction_columns})
        SELECT t.txn_start + s.seq, t.id, 'ticket', t.id, s.kind, s.field,
               CASE WHEN s.old_slot IS NULL THEN s.old ELSE ({old_owner})::text END,
               CASE WHEN s.new_slot IS NULL THEN s.new ELSE ({new_owner})::text END,
               '{{}}'::jsonb, s.taken, {actor}, t.created + s.minute {minute}
        FROM bench_t t JOIN bench_step s ON s.plan = t.plan
        WHERE {chunk}
    """  # noqa: S608 - integers computed here
    # One pass over the messages feeds both tables (a CTE used twice is computed once).
    messages_and_documents = f"""
        WITH m AS MATERIALIZED ({messages}),
        a AS (
            INSERT INTO {Attachment._meta.db_table} ({attachment_columns})
            SELECT m.id, m.txn, '<bench-' || m.txn || '@bench.example>', sub.subject,
                   '', 'text/plain', '', m.content, '', length(m.content), m.actor,
                   m.created
            FROM m JOIN bench_subject sub ON sub.idx = m.subject_idx
        )
        INSERT INTO {SearchDocument._meta.db_table} ({document_columns})
        SELECT m.id, m.ticket, m.kind, m.content, m.vector FROM m
    """  # noqa: S608 - integers computed here
    watchers = f"""
        INSERT INTO {TicketWatcher._meta.db_table} ({watcher_columns})
        SELECT t.id, 'Requestor', t.requestor FROM bench_t t WHERE {chunk}
        UNION ALL
        SELECT t.id, 'Cc', {customer} FROM bench_t t
        WHERE {chunk} AND pg_temp.bench_h(t.n, 13) % 5 = 0
    """  # noqa: S608 - integers computed here
    values = f"""
        INSERT INTO {CustomFieldValue._meta.db_table} ({value_columns})
        SELECT {pools.custom_field}, t.id, v.value, v.value, '', {pools.system}, t.created
        FROM bench_t t CROSS JOIN LATERAL (SELECT (ARRAY[{types}])
            [1 + pg_temp.bench_h(t.n, 16) % {type_count}] AS value) v
        WHERE {chunk} AND pg_temp.bench_h(t.n, 15) % 10 < 3
    """  # noqa: S608 - integers computed here
    links = f"""
        INSERT INTO {Link._meta.db_table} ({link_columns})
        SELECT (ARRAY['DependsOn','MemberOf','RefersTo'])[1 + pg_temp.bench_h(t.n, 17) % 3],
               t.id, t.id - 1 - pg_temp.bench_h(t.n, 18) % t.n, '', {pools.system},
               t.created
        FROM bench_t t
        WHERE {chunk} AND t.n > 0 AND pg_temp.bench_h(t.n, 19) % 100 < 8
    """  # noqa: S608 - integers computed here
    return [tickets, transactions, messages_and_documents, watchers, values, links]


def expand(
    pools: Pools,
    tickets: int,
    ids: dict[str, int],
    now: datetime,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> Counts:
    _stage(pools, seed)
    _tickets_table(pools, tickets, ids, now)
    statements = _statements(pools)
    with connection.cursor() as cursor:
        for start in range(0, tickets, CHUNK):
            end = min(tickets, start + CHUNK)
            for sql in statements:
                cursor.execute(
                    sql.replace(":start", str(start)).replace(":end", str(end))
                )
            if progress:
                progress(end, tickets)
        cursor.execute(
            "SELECT coalesce(sum(p.length), 0), coalesce(sum(p.messages), 0) "
            "FROM bench_t t JOIN bench_plan p ON p.plan = t.plan"
        )
        transactions, attachments = cursor.fetchone()
    return Counts(tickets, int(transactions), int(attachments))
