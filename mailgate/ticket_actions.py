"""What a message may do to its ticket besides adding itself: RT's `take` and `resolve`
actions, and commands by mail. Each runs with the sender's own rights in its own
savepoint; one that fails is noted and the message (and the other changes) stand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dateutil import parser as dateutil_parser
from django.db import transaction
from django.utils import timezone

from mailgate.mail_commands import MailCommand
from mailgate.routing import RESOLVE, TAKE
from queues.models import Queue
from tracker import services
from tracker.errors import DomainError, ValidationFailed
from tracker.models import Ticket, User


def run_extra_actions(
    ticket: Ticket, sender: User, actions: Sequence[str]
) -> list[str]:
    """take / resolve after the message, each on its own; a failure is noted, and the
    message stays recorded (RT runs the actions in order and reports failures)."""
    notes = []
    for action in actions:
        if action not in (TAKE, RESOLVE):
            continue
        try:
            with transaction.atomic():
                fresh = Ticket.objects.get(pk=ticket.pk)
                if action == TAKE:
                    services.take(ticket=fresh, actor=sender)
                else:
                    services.set_status(ticket=fresh, status="resolved", actor=sender)
        except DomainError as exc:
            notes.append(f"{action} failed: {exc.message}")
    return notes


def apply_mail_commands(
    ticket: Ticket, actor: User, commands: list[MailCommand]
) -> list[str]:
    """Apply `Word: value` commands with the sender's own rights, each on its own: one
    that fails is noted and the others (and the message) still stand."""
    notes = []
    for command in commands:
        try:
            with transaction.atomic():
                _apply_command(Ticket.objects.get(pk=ticket.pk), actor, command)
        except DomainError as exc:
            notes.append(f"command {command.name} failed: {exc.message}")
        except (ValueError, OverflowError, Queue.DoesNotExist) as exc:
            notes.append(f"command {command.name} failed: {exc}")
    return notes


_FIELD_COMMANDS = {
    "Subject": "subject",
    "Priority": "priority",
    "FinalPriority": "final_priority",
    "TimeEstimated": "time_estimated",
    "TimeLeft": "time_left",
    "Due": "due",
    "Starts": "starts",
}


def _apply_command(ticket: Ticket, actor: User, command: MailCommand) -> None:
    name, value = command.name, command.value
    if name == "Status":
        services.set_status(ticket=ticket, status=value, actor=actor)
    elif name == "Owner":
        owner = services.resolve_principal(value, create=False)
        if not isinstance(owner, User):
            raise ValidationFailed(f"'{value}' is a group; an owner must be a user.")
        services.set_owner(ticket=ticket, owner=owner, actor=actor)
    elif name == "Queue":
        services.move_ticket(
            ticket=ticket, queue=Queue.objects.by_name(value), actor=actor
        )
    elif name == "TimeWorked":
        services.add_time_worked(ticket=ticket, minutes=int(value), actor=actor)
    elif name in ("Due", "Starts"):
        services.set_fields(
            ticket=ticket, actor=actor, **{_FIELD_COMMANDS[name]: _parse_date(value)}
        )
    elif name in _FIELD_COMMANDS:
        services.set_fields(
            ticket=ticket, actor=actor, **{_FIELD_COMMANDS[name]: value}
        )
    elif name.startswith(("Add", "Del")):
        change = (
            services.add_watcher if name.startswith("Add") else services.remove_watcher
        )
        change(ticket=ticket, role=name[3:], principal=value, actor=actor)
    elif name == "CF":
        services.set_custom_field(
            ticket=ticket, field=command.field, values=value, actor=actor
        )


def _parse_date(value: str) -> datetime | None:
    """A date or date and time in the tracker's time zone; `0` or empty unsets it."""
    if value.strip() in ("", "0"):
        return None
    moment = dateutil_parser.parse(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
