"""Ticket histories played out along a lifecycle, once, as reusable plans.

A plan is one ticket's whole history with its people left as slots: the requestor, and
staff by index (the loader maps index k to the k-th staff member after a per-ticket
shift). Thousands of tickets share each plan with different people, queue, subject,
message bodies and dates, so Python plays out a few thousand histories however many
tickets are written, and the database (or the slow path) expands them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lifecycles.engine import Lifecycle

REQUESTOR = -1
NOBODY = -2
SETTLED_MINUTES = 30 * 24 * 60  # tickets untouched for a month are mostly closed
_TIME_TAKEN_REPLY = (0, 0, 5, 10, 15, 30)
_TIME_TAKEN_COMMENT = (0, 5, 10, 20)


@dataclass(frozen=True)
class Step:
    """One transaction. `actor`, `old_slot` and `new_slot` are people slots (REQUESTOR,
    NOBODY or a staff index); `body` is a message body's pool index, or -1 for no
    message; `message` numbers the plan's messages from 0."""

    kind: str
    actor: int
    minute: int
    field: str = ""
    old: str = ""
    new: str = ""
    old_slot: int | None = None
    new_slot: int | None = None
    taken: int = 0
    body: int = -1
    message: int = -1


@dataclass(frozen=True)
class Plan:
    """A whole history and the ticket fields it leaves (minutes count from creation)."""

    lifecycle: str
    age: int  # minutes between the ticket's creation and now
    steps: tuple[Step, ...]
    status: str
    owner: int
    worked: int
    started: int | None
    resolved: int | None
    told: int | None

    @property
    def last(self) -> Step:
        return self.steps[-1]

    @property
    def messages(self) -> int:
        return sum(1 for step in self.steps if step.body >= 0)


def history_length(rng: random.Random) -> int:
    """5 to 200, most tickets short: a Pareto tail like real helpdesks."""
    return min(200, 4 + int(rng.paretovariate(1.3)))


class Moves:
    """Per lifecycle and status, what the history may do next: computed once."""

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


def play(
    rng: random.Random,
    name: str,
    moves: Moves,
    length: int,
    staff_count: int,
    body_count: int,
) -> Plan:
    """One history: a Create with its message, then replies, comments, status and owner
    changes; old tickets mostly end closed, as in a real tracker (without that, seven
    in ten generated tickets would stay open and every count of open tickets would grow
    with the whole history)."""
    lifecycle = moves.lifecycle
    random_ = rng.random
    age = rng.randint(60 * 24 * 8, 60 * 24 * 730)
    status = moves.create_status
    owner = NOBODY
    started = resolved = told = None
    worked = 0
    minute = 0
    steps: list[Step] = []
    messages = 0

    def body() -> tuple[int, int]:
        nonlocal messages
        messages += 1
        return int(random_() * body_count), messages - 1

    b, m = body()
    steps.append(Step("Create", REQUESTOR, 0, body=b, message=m))
    last = length - 2
    for step in range(length - 1):
        minute += 5 + int(random_() * 596)
        if (
            step == last
            and age - minute > SETTLED_MINUTES
            and not lifecycle.is_inactive(status)
        ):
            closing = moves.closing_status(status)
            if closing and random_() < 0.9:
                closer = owner if owner != NOBODY else 0
                steps.append(Step("Status", closer, minute, "Status", status, closing))
                if lifecycle.is_initial(status) and started is None:
                    started = minute
                resolved = minute
                status = closing
                break
        roll = random_()
        agent = owner if owner != NOBODY else int(random_() * staff_count)
        if roll < 0.45:
            taken = _TIME_TAKEN_REPLY[int(random_() * 6)]
            worked += taken
            actor = REQUESTOR if random_() < 0.4 else agent
            if actor != REQUESTOR:
                told = minute
            b, m = body()
            steps.append(
                Step("Correspond", actor, minute, taken=taken, body=b, message=m)
            )
            continue
        next_statuses = moves.next_statuses(status)
        if 0.65 <= roll < 0.85 and next_statuses:
            new = next_statuses[int(random_() * len(next_statuses))]
            steps.append(Step("Status", agent, minute, "Status", status, new))
            if (
                lifecycle.is_initial(status)
                and not lifecycle.is_initial(new)
                and started is None
            ):
                started = minute
            if lifecycle.is_inactive(new):
                resolved = minute
            status = new
            continue
        new_owner = int(random_() * staff_count)
        if roll >= 0.85 and new_owner != owner:
            steps.append(
                Step("Set", agent, minute, "Owner", old_slot=owner, new_slot=new_owner)
            )
            owner = new_owner
        else:
            # Comments, and the fallback when no status move or owner change is possible.
            taken = _TIME_TAKEN_COMMENT[int(random_() * 4)]
            worked += taken
            b, m = body()
            steps.append(Step("Comment", agent, minute, taken=taken, body=b, message=m))
    return Plan(name, age, tuple(steps), status, owner, worked, started, resolved, told)
