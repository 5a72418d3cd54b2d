"""A large, realistic data set for benchmarks, written fast.

Queues (a tenth on the incident lifecycle), staff and customers, and tickets whose history
is played out along each queue's lifecycle: a Create with its message, then replies,
comments, status and owner changes, with 5 to 200 transactions per ticket and a few very
long tickets. Ticket fields agree with their history (status, owner, Started, Resolved,
Told, LastUpdated, TimeWorked), as the services would have left them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from lifecycles import registry
from lifecycles.engine import Lifecycle
from lifecycles.models import Lifecycle as LifecycleRow
from queues.models import Queue
from tracker import rights
from tracker.management.bulk.text import message_body, subject_line
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
REBUILD_INDEXES_FROM = 20_000
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


def history_length(rng: random.Random) -> int:
    """5 to 200, most tickets short: a Pareto tail like real helpdesks."""
    return min(200, 4 + int(rng.paretovariate(1.3)))


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
    # Rebuilding the indexes pays once the new rows outnumber the ones already there.
    if scale.tickets >= max(REBUILD_INDEXES_FROM, estimated_rows(Ticket)):
        with indexes_rebuilt_after(bulky):
            counts = _tickets(
                scale, rng, queues, staff, customers, incident_type, progress
            )
    else:
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
    return Result(*counts, seconds=time.monotonic() - started)


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
        self.documents = RowWriter(SearchDocument, ["attachment", "ticket", "content"])
        self.watchers = RowWriter(TicketWatcher, ["id", "ticket", "role", "user"])
        self.links = RowWriter(
            Link, ["id", "type", "base", "target", "target_uri", "creator", "created"]
        )
        self.values = RowWriter(
            CustomFieldValue,
            [
                "id", "custom_field", "ticket", "content", "sort_key", "sort_key_high",
                "creator", "created",
            ],
        )  # fmt: skip
        self.ids = {
            name: next_id(model)
            for name, model in (
                ("ticket", Ticket),
                ("transaction", Transaction),
                ("attachment", Attachment),
                ("watcher", TicketWatcher),
                ("link", Link),
                ("value", CustomFieldValue),
            )
        }

    def take_id(self, name: str) -> int:
        pk = self.ids[name]
        self.ids[name] = pk + 1
        return pk

    def flush(self) -> None:
        # Parents before children, for the foreign keys.
        for writer in (self.tickets, self.transactions, self.attachments, self.documents,
                       self.watchers, self.links, self.values):  # fmt: skip
            writer.flush()


class _Moves:
    """Per lifecycle and status, what the history may do next: computed once, not per
    transaction (the generator's inner loop runs millions of times)."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        self.create_status = lifecycle.default_create_status()
        self._next: dict[str, list[str]] = {}
        self._closing: dict[str, str | None] = {}

    def closing_status(self, status: str) -> str | None:
        """An inactive status reachable in one move (`resolved` first), or None."""
        found = self._closing.get(status, "")
        if found == "":
            inactive = [
                s for s in self.next_statuses(status) if self.lifecycle.is_inactive(s)
            ]
            found = (
                "resolved"
                if "resolved" in inactive
                else (inactive[0] if inactive else None)
            )
            self._closing[status] = found
        return found

    def next_statuses(self, status: str) -> list[str]:
        found = self._next.get(status)
        if found is None:
            found = [s for s in self.lifecycle.next_statuses(status) if s != "deleted"]
            self._next[status] = found
        return found


class _Pools:
    """Pre-drawn subjects and message bodies: drawing from a pool is one random call
    where composing a fresh text is a dozen."""

    SIZE = 4096

    def __init__(self, rng: random.Random) -> None:
        self.subjects = [subject_line(rng) for _ in range(self.SIZE)]
        self.bodies = [message_body(rng) for _ in range(self.SIZE)]


def _tickets(
    scale: Scale,
    rng: random.Random,
    queues: list[tuple[Queue, Lifecycle]],
    staff: list[int],
    customers: list[int],
    incident_type: CustomField,
    progress: Progress | None,
) -> tuple[int, int, int]:
    writers = _Writers()
    unowned = nobody().pk
    system = system_user().pk
    now = timezone.now()
    first_ticket = writers.ids["ticket"]
    pools = _Pools(rng)
    settled_before = now - timedelta(days=30)
    plans = [(queue, _Moves(lifecycle)) for queue, lifecycle in queues]
    people = _People(staff, customers, unowned, system)
    for n in range(scale.tickets):
        length = scale.long_length if n < scale.long_tickets else history_length(rng)
        queue, moves = rng.choice(plans)
        created = now - timedelta(minutes=rng.randint(60 * 24 * 8, 60 * 24 * 730))
        _one_ticket(
            writers, rng, pools, queue, moves, length, created, people, incident_type,
            first_ticket, settled_before,
        )  # fmt: skip
        if progress and (n + 1) % 1000 == 0:
            progress(n + 1, scale.tickets)
    writers.flush()
    if progress:
        progress(scale.tickets, scale.tickets)
    return scale.tickets, writers.transactions.written, writers.attachments.written


@dataclass(frozen=True)
class _People:
    staff: list[int]
    customers: list[int]
    unowned: int
    system: int


_MINUTE = timedelta(minutes=1)
_TIME_TAKEN_REPLY = (0, 0, 5, 10, 15, 30)
_TIME_TAKEN_COMMENT = (0, 5, 10, 20)


def _one_ticket(
    w: _Writers,
    rng: random.Random,
    pools: _Pools,
    queue: Queue,
    moves: _Moves,
    length: int,
    created: datetime,
    people: _People,
    incident_type: CustomField,
    first_ticket: int,
    settled_before: datetime,
) -> None:
    lifecycle = moves.lifecycle
    random_ = rng.random
    staff, customers, unowned = people.staff, people.customers, people.unowned
    n_staff = len(staff)
    ticket_id = w.take_id("ticket")
    requestor = customers[int(random_() * len(customers))]
    subject = pools.subjects[int(random_() * _Pools.SIZE)]
    bodies = pools.bodies
    status = moves.create_status
    owner = unowned
    started = resolved = told = None
    worked = 0
    moment = created
    txn_id = w.ids["transaction"]
    attachment_id = w.ids["attachment"]
    add_txn = w.transactions.add
    add_part = w.attachments.add
    add_doc = w.documents.add

    def record(kind: str, actor: int, field: str = "", old: object = "", new: object = "",
               taken: int = 0, body: str = "") -> None:  # fmt: skip
        nonlocal txn_id, attachment_id, last_actor
        add_txn(
            (txn_id, ticket_id, "ticket", ticket_id, kind, field, str(old), str(new), "{}",
             taken, actor, moment)
        )  # fmt: skip
        if body:
            add_part(
                (attachment_id, txn_id, f"<bench-{txn_id}@bench.example>", subject,
                 "", "text/plain", "", body, "", len(body), actor, moment)
            )  # fmt: skip
            add_doc((attachment_id, ticket_id, body))
            attachment_id += 1
        txn_id += 1
        last_actor = actor

    last_actor = requestor
    record("Create", requestor, body=bodies[int(random_() * _Pools.SIZE)])
    last = length - 2
    for step in range(length - 1):
        moment += _MINUTE * (5 + int(random_() * 596))
        if (
            step == last
            and moment < settled_before
            and not lifecycle.is_inactive(status)
        ):
            # Old tickets are mostly closed, as in a real tracker: without this, seven in
            # ten generated tickets would stay open and every count of open tickets would
            # grow with the whole history. The close is the history's last transaction.
            closing = moves.closing_status(status)
            if closing and random_() < 0.9:
                closer = owner if owner != unowned else staff[0]
                record("Status", closer, "Status", status, closing)
                if lifecycle.is_initial(status) and not started:
                    started = moment
                resolved = moment
                status = closing
                break
        roll = random_()
        agent = owner if owner != unowned else staff[int(random_() * n_staff)]
        if roll < 0.45:
            taken = _TIME_TAKEN_REPLY[int(random_() * 6)]
            worked += taken
            actor = requestor if random_() < 0.4 else agent
            if actor != requestor:
                told = moment
            record(
                "Correspond",
                actor,
                taken=taken,
                body=bodies[int(random_() * _Pools.SIZE)],
            )
            continue
        next_statuses = moves.next_statuses(status)
        if 0.65 <= roll < 0.85 and next_statuses:
            new = next_statuses[int(random_() * len(next_statuses))]
            record("Status", agent, "Status", status, new)
            if (
                lifecycle.is_initial(status)
                and not lifecycle.is_initial(new)
                and not started
            ):
                started = moment
            if lifecycle.is_inactive(new):
                resolved = moment
            status = new
            continue
        new_owner = staff[int(random_() * n_staff)]
        if roll >= 0.85 and new_owner != owner:
            record("Set", agent, "Owner", owner, new_owner)
            owner = new_owner
        else:
            # Comments, and the fallback when no status move or owner change is possible.
            taken = _TIME_TAKEN_COMMENT[int(random_() * 4)]
            worked += taken
            record(
                "Comment", agent, taken=taken, body=bodies[int(random_() * _Pools.SIZE)]
            )
    w.ids["transaction"] = txn_id
    w.ids["attachment"] = attachment_id
    w.tickets.add(
        (ticket_id, "ticket", queue.pk, subject, status, owner, int(random_() * 61),
         queue.initial_priority, queue.final_priority, 0, worked, 0, started, resolved, told,
         created + timedelta(days=rng.randint(1, 14)) if random_() < 0.3 else None,
         created, requestor, moment, last_actor)
    )  # fmt: skip
    w.watchers.add((w.take_id("watcher"), ticket_id, "Requestor", requestor))
    if random_() < 0.2:
        w.watchers.add((w.take_id("watcher"), ticket_id, "Cc", rng.choice(customers)))
    if random_() < 0.3:
        value = rng.choice(INCIDENT_TYPES)
        w.values.add(
            (w.take_id("value"), incident_type.pk, ticket_id, value, value, "",
             people.system, created)
        )  # fmt: skip
    if ticket_id > first_ticket and random_() < 0.08:
        kind = rng.choice(["DependsOn", "MemberOf", "RefersTo"])
        target = rng.randint(first_ticket, ticket_id - 1)
        w.links.add(
            (w.take_id("link"), kind, ticket_id, target, "", people.system, created)
        )
