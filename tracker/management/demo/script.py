"""The vocabulary of the demo scenario: tickets and the steps of their history.

A scenario is a list of `Story` (a new ticket and what happens to it) and `Later` (more
steps on a ticket an earlier story created). Steps name their actor; `play` runs each
step through `tracker.services`, so every right and lifecycle rule is enforced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from queues.models import Queue
from tracker import services
from tracker.models import Ticket, User

CfValues = str | tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    actor: str
    body: str
    minutes: int = 0


@dataclass(frozen=True)
class Comment:
    actor: str
    body: str
    minutes: int = 0


@dataclass(frozen=True)
class Status:
    actor: str
    status: str


@dataclass(frozen=True)
class Take:
    actor: str


@dataclass(frozen=True)
class Steal:
    actor: str


@dataclass(frozen=True)
class Give:
    actor: str
    owner: str


@dataclass(frozen=True)
class SetCf:
    actor: str
    field: str
    values: CfValues


@dataclass(frozen=True)
class Work:
    actor: str
    minutes: int


@dataclass(frozen=True)
class Priority:
    actor: str
    priority: int


@dataclass(frozen=True)
class Watch:
    actor: str
    role: str
    principal: str


@dataclass(frozen=True)
class Link:
    """`kind` as seen from this ticket (DependsOn, MemberOf, RefersTo...) to an earlier story."""

    actor: str
    kind: str
    other: str


@dataclass(frozen=True)
class Merge:
    """Merge this ticket into an earlier story's ticket."""

    actor: str
    into: str


@dataclass(frozen=True)
class Move:
    actor: str
    queue: str


Step = (
    Reply
    | Comment
    | Status
    | Take
    | Steal
    | Give
    | SetCf
    | Work
    | Priority
    | Watch
    | Link
    | Merge
    | Move
)


@dataclass(frozen=True)
class Story:
    """A ticket created by `creator` (a username or an outside address) in `queue`."""

    queue: str
    subject: str
    creator: str
    body: str
    steps: Sequence[Step] = ()
    key: str = ""
    requestors: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True)
class Later:
    """More history on the ticket of an earlier story."""

    key: str
    steps: Sequence[Step]


@dataclass
class Cast:
    """Who is who: demo users by username, and senders first seen on a ticket."""

    users: dict[str, User]
    queues: dict[str, Queue]
    tickets: dict[str, Ticket] = field(default_factory=dict)
    created: list[Ticket] = field(default_factory=list)

    def user(self, name: str) -> User:
        found = self.users.get(name)
        if found is None:
            # As the mail gateway does for unknown senders: a new unprivileged user.
            found = services.get_or_create_user_for_email(name)
            self.users[name] = found
        return found


def play(scenario: Sequence[Story | Later], cast: Cast) -> None:
    for entry in scenario:
        if isinstance(entry, Story):
            ticket = _create(entry, cast)
            cast.created.append(ticket)
            if entry.key:
                cast.tickets[entry.key] = ticket
        else:
            ticket = cast.tickets[entry.key]
        for step in entry.steps:
            _apply(step, ticket, cast)


def _create(story: Story, cast: Cast) -> Ticket:
    creator = cast.user(story.creator)
    return services.create_ticket(
        queue=cast.queues[story.queue],
        actor=creator,
        subject=story.subject,
        body=story.body,
        requestors=[cast.user(name) for name in story.requestors] or [creator],
        status=story.status,
    )


def _apply(step: Step, ticket: Ticket, cast: Cast) -> None:
    actor = cast.user(step.actor)
    match step:
        case Reply(body=body, minutes=minutes):
            services.correspond(
                ticket=ticket, actor=actor, body=body, time_taken=minutes
            )
        case Comment(body=body, minutes=minutes):
            services.comment(ticket=ticket, actor=actor, body=body, time_taken=minutes)
        case Status(status=status):
            services.set_status(ticket=ticket, status=status, actor=actor)
        case Take():
            services.take(ticket=ticket, actor=actor)
        case Steal():
            services.steal(ticket=ticket, actor=actor)
        case Give(owner=owner):
            services.give(ticket=ticket, owner=cast.user(owner), actor=actor)
        case SetCf(field=name, values=values):
            services.set_custom_field(
                ticket=ticket, field=name, values=_as_list(values), actor=actor
            )
        case Work(minutes=minutes):
            services.add_time_worked(ticket=ticket, minutes=minutes, actor=actor)
        case Priority(priority=priority):
            services.set_fields(ticket=ticket, actor=actor, priority=priority)
        case Watch(role=role, principal=principal):
            services.add_watcher(
                ticket=ticket,
                role=role,
                principal=_principal(principal, cast),
                actor=actor,
            )
        case Link(kind=kind, other=other):
            services.add_link(
                ticket=ticket, kind=kind, other=cast.tickets[other], actor=actor
            )
        case Merge(into=into):
            services.merge_tickets(
                source=ticket, target=cast.tickets[into], actor=actor
            )
        case Move(queue=queue):
            services.move_ticket(ticket=ticket, queue=cast.queues[queue], actor=actor)


def _as_list(values: CfValues) -> list[str]:
    return [values] if isinstance(values, str) else list(values)


def _principal(name: str, cast: Cast) -> User | str:
    if name.startswith("group:"):
        return name
    return cast.user(name)
