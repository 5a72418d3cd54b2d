"""A large, realistic data set for benchmarks, written fast.

Queues (a tenth on the incident lifecycle), staff and customers, and tickets whose history
is played out along each queue's lifecycle: a Create with its message, then replies,
comments, status and owner changes, with 5 to 200 transactions per ticket and a few very
long tickets. Ticket fields agree with their history (status, owner, Started, Resolved,
Told, LastUpdated, TimeWorked), as the services would have left them.

Histories are played out once as plans (`plans.py`), a few thousand of them, and each
ticket takes one with its own people, queue, subject, bodies and dates. On PostgreSQL the
database expands them (`server.py`); elsewhere Python writes the rows (slow, for tests).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from lifecycles import registry
from lifecycles.engine import Lifecycle
from lifecycles.models import Lifecycle as LifecycleRow
from queues.models import Queue
from tracker import rights
from tracker.management.bulk import server
from tracker.management.bulk.plans import NOBODY, REQUESTOR, Moves, Plan, play
from tracker.management.bulk.plans import history_length as history_length
from tracker.management.bulk.text import message_body, subject_line, with_reference
from tracker.management.bulk.writer import (
    RowWriter,
    analyze,
    estimated_rows,
    indexes_rebuilt_after,
    next_id,
    reset_sequences,
    skip_foreign_key_checks,
)
from tracker.models import (
    ACE,
    Attachment,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    Group,
    GroupMember,
    Link,
    QueueCustomField,
    SearchDocument,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)
from tracker.principals import nobody, system_user

STAFF_RIGHTS = [
    rights.SEE_QUEUE,
    rights.SHOW_TICKET,
    rights.CREATE_TICKET,
    rights.REPLY_TO_TICKET,
    rights.COMMENT_ON_TICKET,
    rights.SHOW_TICKET_COMMENTS,
    rights.OWN_TICKET,
    rights.TAKE_TICKET,
    rights.MODIFY_TICKET,
    rights.SEE_CUSTOM_FIELD,
    rights.MODIFY_CUSTOM_FIELD,
]
REBUILD_INDEXES_FROM = 5_000
PLANS_PER_LIFECYCLE = 1024  # distinct histories; the incident lifecycle gets a quarter
POOL_SIZE = 4096  # distinct subjects and message bodies (fewer for small loads)
INCIDENT_TYPES = ["phishing", "malware", "scan", "ddos", "spam", "compromise"]


@dataclass(frozen=True)
class Scale:
    tickets: int
    queues: int = 100
    users: int = 10_000
    long_tickets: int = 3
    long_length: int = 2_000
    seed: int = 1


@dataclass(frozen=True)
class Result:
    tickets: int
    transactions: int
    attachments: int
    seconds: float

    @property
    def tickets_per_second(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int], None]


@transaction.atomic
def generate(scale: Scale, progress: Progress | None = None) -> Result:
    started = time.monotonic()
    rng = random.Random(scale.seed)  # noqa: S311 - reproducible data, not secrets
    skip_foreign_key_checks()
    prefix = f"bench{next_id(Queue)}"
    queues = _queues(scale, prefix)
    staff, customers = _users(scale, prefix, rng)
    _grant_staff(queues, staff, prefix)
    incident_type = _custom_field(prefix)
    bulky = [Transaction, Attachment, SearchDocument, Ticket, TicketWatcher]
    # Rebuilding the indexes pays once the new rows outnumber the ones already there
    # (at 10,000 tickets into empty tables: a quarter less CPU than updating them).
    rebuild = scale.tickets >= max(REBUILD_INDEXES_FROM, estimated_rows(Ticket))
    with indexes_rebuilt_after(bulky) if rebuild else nullcontext():
        counts = _tickets(scale, rng, queues, staff, customers, incident_type, progress)
    written = [
        User,
        Ticket,
        Transaction,
        Attachment,
        TicketWatcher,
        Link,
        CustomFieldValue,
    ]
    reset_sequences(written)
    analyze([*written, SearchDocument])
    return Result(
        counts.tickets,
        counts.transactions,
        counts.attachments,
        seconds=time.monotonic() - started,
    )


def _queues(scale: Scale, prefix: str) -> list[tuple[Queue, Lifecycle]]:
    default = LifecycleRow.objects.get(name="default")
    incident = LifecycleRow.objects.get(name="incident")
    rows = Queue.objects.bulk_create(
        Queue(
            name=f"{prefix}-{n:03d}",
            description="Benchmark queue",
            lifecycle=incident if n % 10 == 0 else default,
            correspond_address=f"{prefix}-{n:03d}@bench.example",
            comment_address=f"{prefix}-{n:03d}-comment@bench.example",
        )
        for n in range(scale.queues)
    )
    queues = list(
        Queue.objects.filter(pk__in=[q.pk for q in rows]).select_related("lifecycle")
    )
    return [(q, registry.get_lifecycle(q.lifecycle.name)) for q in queues]


def _users(
    scale: Scale, prefix: str, rng: random.Random
) -> tuple[list[int], list[int]]:
    writer = RowWriter(
        User,
        [
            "id", "password", "is_superuser", "username", "email", "real_name",
            "is_privileged", "is_active", "is_staff", "is_system", "language", "time_zone",
            "organization", "notify_own_actions", "date_joined",
        ],
    )  # fmt: skip
    first = next_id(User)
    staff_count = max(5, scale.users // 20)
    now = timezone.now()
    staff, customers = [], []
    for n in range(scale.users):
        pk = first + n
        privileged = n < staff_count
        name = f"{prefix}-{'staff' if privileged else 'cust'}{n}"
        writer.add(
            (
                pk, "!", False, name, f"{name}@bench.example", f"Person {n}", privileged,
                True, False, False, "", "", rng.choice(["Acme", "Globex", "Initech", ""]),
                False, now,
            )
        )  # fmt: skip
        (staff if privileged else customers).append(pk)
    writer.flush()
    return staff, customers


def _grant_staff(
    queues: list[tuple[Queue, Lifecycle]], staff: list[int], prefix: str
) -> None:
    group = Group.objects.create(name=f"{prefix}-staff", description="Benchmark staff")
    GroupMember.objects.bulk_create(
        GroupMember(group=group, user_id=pk) for pk in staff
    )
    ACE.objects.bulk_create(
        ACE(right=right, group=group, queue=queue)
        for queue, lifecycle in queues
        for right in [*STAFF_RIGHTS, *sorted(lifecycle.declared_rights())]
    )


def _custom_field(prefix: str) -> CustomField:
    field = CustomField.objects.create(name=f"Incident Type {prefix}", type="select")
    CustomFieldChoice.objects.bulk_create(
        CustomFieldChoice(custom_field=field, name=name, sort_order=i)
        for i, name in enumerate(INCIDENT_TYPES)
    )
    QueueCustomField.objects.create(custom_field=field, queue=None)
    return field


def _pool_size(scale: Scale) -> int:
    return max(256, min(POOL_SIZE, scale.tickets))


def _plans(
    scale: Scale,
    rng: random.Random,
    queues: list[tuple[Queue, Lifecycle]],
    staff_count: int,
    pool: int,
) -> tuple[list[Plan], list[list[int]], list[int], dict[str, int]]:
    """Plans per lifecycle (family), and the long tickets' plans."""
    plans: list[Plan] = []
    families: list[list[int]] = []
    family_of: dict[str, int] = {}
    lifecycles = {lc.name: lc for _, lc in queues}
    per_family = max(8, min(PLANS_PER_LIFECYCLE, scale.tickets // 4))
    for name in sorted(lifecycles):
        moves = Moves(lifecycles[name])
        count = per_family if name == "default" else max(4, per_family // 4)
        family_of[name] = len(families)
        families.append(list(range(len(plans), len(plans) + count)))
        plans += [
            play(rng, name, moves, history_length(rng), staff_count, pool)
            for _ in range(count)
        ]
    long_plans = []
    for n in range(min(scale.long_tickets, scale.tickets)):
        _, lifecycle = queues[n % len(queues)]
        long_plans.append(len(plans))
        plans.append(
            play(rng, lifecycle.name, Moves(lifecycle), scale.long_length,
                 staff_count, pool)
        )  # fmt: skip
    return plans, families, long_plans, family_of


def _tickets(
    scale: Scale,
    rng: random.Random,
    queues: list[tuple[Queue, Lifecycle]],
    staff: list[int],
    customers: list[int],
    incident_type: CustomField,
    progress: Progress | None,
) -> server.Counts:
    pool = _pool_size(scale)
    plans, families, long_plans, family_of = _plans(
        scale, rng, queues, len(staff), pool
    )
    ids = {
        name: next_id(model)
        for name, model in (
            ("ticket", Ticket),
            ("transaction", Transaction),
            ("attachment", Attachment),
        )
    }
    pools = server.Pools(
        families=families,
        long_plans=long_plans,
        plans=plans,
        queues=[
            (q.pk, family_of[lc.name], q.initial_priority, q.final_priority)
            for q, lc in queues
        ],
        subjects=[subject_line(rng) for _ in range(pool)],
        bodies=[message_body(rng) for _ in range(pool)],
        first_staff=staff[0],
        staff_count=len(staff),
        first_customer=customers[0],
        customer_count=len(customers),
        nobody=nobody().pk,
        system=system_user().pk,
        custom_field=incident_type.pk,
        incident_types=INCIDENT_TYPES,
    )
    now = timezone.now()
    if connection.vendor == "postgresql":
        return server.expand(pools, scale.tickets, ids, now, scale.seed, progress)
    return _expand_in_python(pools, scale.tickets, ids, now, rng, progress)


def _expand_in_python(
    pools: server.Pools,
    tickets: int,
    ids: dict[str, int],
    now: datetime,
    rng: random.Random,
    progress: Progress | None,
) -> server.Counts:
    """The same expansion as `server.expand`, row by row, for databases other than
    PostgreSQL (tests on SQLite)."""
    w = _Writers()
    random_ = rng.random
    for n in range(tickets):
        # A long ticket's plan was played out on the lifecycle of queue n.
        long = n < len(pools.long_plans)
        queue_id, family, initial_priority, final_priority = (
            pools.queues[n % len(pools.queues)] if long else rng.choice(pools.queues)
        )
        plan_no = pools.long_plans[n] if long else rng.choice(pools.families[family])
        plan = pools.plans[plan_no]
        ticket_id = ids["ticket"] + n
        requestor = pools.first_customer + rng.randrange(pools.customer_count)
        shift = rng.randrange(pools.staff_count)

        def person(slot: int, requestor: int = requestor, shift: int = shift) -> int:
            if slot == REQUESTOR:
                return requestor
            if slot == NOBODY:
                return pools.nobody
            return pools.first_staff + (slot + shift) % pools.staff_count

        body_shift = rng.randrange(len(pools.bodies))
        subject = rng.choice(pools.subjects)
        created = now - timedelta(minutes=plan.age + rng.randrange(1440))
        txn_start, att_start = ids["transaction"], ids["attachment"]
        for seq, step in enumerate(plan.steps):
            moment = created + timedelta(minutes=step.minute)
            actor = person(step.actor)
            old = step.old if step.old_slot is None else str(person(step.old_slot))
            new = step.new if step.new_slot is None else str(person(step.new_slot))
            w.transactions.add(
                (txn_start + seq, ticket_id, "ticket", ticket_id, step.kind, step.field,
                 old, new, "{}", step.taken, actor, moment)
            )  # fmt: skip
            if step.message < 0:
                continue
            body = pools.bodies[(step.body + body_shift) % len(pools.bodies)]
            if random_() < 0.25:
                body = with_reference(body, rng.randint(10_000, 99_999))
            part = att_start + step.message
            w.attachments.add(
                (part, txn_start + seq, f"<bench-{txn_start + seq}@bench.example>",
                 subject, "", "text/plain", "", body, "", len(body), actor, moment)
            )  # fmt: skip
            w.documents.add((part, ticket_id, step.kind, body))
        ids["transaction"] += len(plan.steps)
        ids["attachment"] += plan.messages

        def at(minute: int | None, created: datetime = created) -> datetime | None:
            return None if minute is None else created + timedelta(minutes=minute)

        w.tickets.add(
            (ticket_id, "ticket", queue_id, subject, plan.status, person(plan.owner),
             rng.randrange(61), initial_priority, final_priority, 0, plan.worked, 0,
             at(plan.started), at(plan.resolved), at(plan.told),
             created + timedelta(days=rng.randint(1, 14)) if random_() < 0.3 else None,
             created, requestor, at(plan.last.minute), person(plan.last.actor))
        )  # fmt: skip
        w.watchers.add((ticket_id, "Requestor", requestor))
        if random_() < 0.2:
            cc = pools.first_customer + rng.randrange(pools.customer_count)
            w.watchers.add((ticket_id, "Cc", cc))
        if random_() < 0.3:
            value = rng.choice(pools.incident_types)
            w.values.add(
                (pools.custom_field, ticket_id, value, value, "", pools.system, created)
            )
        if n > 0 and random_() < 0.08:
            kind = rng.choice(["DependsOn", "MemberOf", "RefersTo"])
            target = rng.randint(ids["ticket"], ticket_id - 1)
            w.links.add((kind, ticket_id, target, "", pools.system, created))
        if progress and (n + 1) % 1000 == 0:
            progress(n + 1, tickets)
    w.flush()
    if progress:
        progress(tickets, tickets)
    return server.Counts(tickets, w.transactions.written, w.attachments.written)


class _Writers:
    def __init__(self) -> None:
        self.tickets = RowWriter(
            Ticket,
            [
                "id", "type", "queue", "subject", "status", "owner", "priority",
                "initial_priority", "final_priority", "time_estimated", "time_worked",
                "time_left", "started", "resolved", "told", "due", "created", "creator",
                "last_updated", "last_updated_by",
            ],
        )  # fmt: skip
        self.transactions = RowWriter(
            Transaction,
            [
                "id", "ticket", "object_type", "object_id", "type", "field", "old_value",
                "new_value", "data", "time_taken", "creator", "created",
            ],
        )  # fmt: skip
        self.attachments = RowWriter(
            Attachment,
            [
                "id", "transaction", "message_id", "subject", "filename", "content_type",
                "headers", "content", "file", "size", "creator", "created",
            ],
        )  # fmt: skip
        # What the services write beside each text part, so Content searches find it.
        self.documents = RowWriter(
            SearchDocument, ["attachment", "ticket", "transaction_type", "content"]
        )
        self.watchers = RowWriter(TicketWatcher, ["ticket", "role", "user"])
        self.links = RowWriter(
            Link, ["type", "base", "target", "target_uri", "creator", "created"]
        )
        self.values = RowWriter(
            CustomFieldValue,
            [
                "custom_field", "ticket", "content", "sort_key", "sort_key_high",
                "creator", "created",
            ],
        )  # fmt: skip

    def flush(self) -> None:
        # Parents before children, for the foreign keys.
        for writer in (self.tickets, self.transactions, self.attachments, self.documents,
                       self.watchers, self.links, self.values):  # fmt: skip
            writer.flush()
