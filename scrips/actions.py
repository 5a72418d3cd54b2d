"""Scrip actions: registered classes, chosen by name on a Scrip.

An action runs in two phases, as in RT: `prepare` renders what it would send (raising
TemplateError stops only this scrip), then `commit` writes it: outbox rows for
notifications, or a ticket change through `tracker.services` acting as the system user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import getaddresses
from typing import ClassVar

from django.db.models import F, Q

from lifecycles import registry as lifecycles
from scrips.models import Scrip, Template
from scrips.recipients import RecipientFilter, Recipients, role_recipients
from scrips.rendering import (
    RenderedMail,
    TemplateError,
    render_template,
    template_context,
)
from tracker import services
from tracker.errors import ValidationFailed
from tracker.models import Role, Ticket, Transaction
from tracker.principals import system_user

ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    ACTIONS[action.name] = action
    return action


def get_action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise LookupError(f"There is no scrip action called '{name}'.") from None


def action_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(ACTIONS)]


@dataclass
class ScripContext:
    """What one scrip run sees: the ticket, the transaction it runs for (the first
    matching one in a batch) and the whole batch."""

    scrip: Scrip
    ticket: Ticket
    transaction: Transaction
    batch: list[Transaction] = field(default_factory=list)

    @property
    def argument(self) -> str:
        return self.scrip.action_argument


@dataclass
class Draft:
    """A notification ready for the outbox."""

    recipients: Recipients
    mail: RenderedMail
    is_comment: bool = False
    is_autoreply: bool = False


def find_template(name: str, ticket: Ticket) -> Template:
    """The queue's template of that name, else the global one."""
    found = (
        Template.objects.filter(Q(queue=ticket.queue_id) | Q(queue__isnull=True))
        .filter(name=name)
        .order_by(F("queue_id").asc(nulls_last=True))
        .first()
    )
    if found is None:
        raise TemplateError(f"There is no template called '{name}'.")
    return found


def render_for(ctx: ScripContext) -> RenderedMail | None:
    template = find_template(ctx.scrip.template, ctx.ticket)
    return render_template(
        template.content,
        template_context(ticket=ctx.ticket, txn=ctx.transaction, batch=ctx.batch),
    )


class Action:
    name: ClassVar[str] = ""

    def prepare(self, ctx: ScripContext) -> list[Draft]:
        return []

    def commit(self, ctx: ScripContext) -> None:
        return None


def _header_addresses(mail: RenderedMail, name: str) -> list[str]:
    values = mail.header_values(name)
    mail.headers = [(k, v) for k, v in mail.headers if k.lower() != name.lower()]
    return [address for _, address in getaddresses(values) if address]


class Notify(Action):
    """Mail the holders of some roles, rendered from the scrip's template."""

    def __init__(
        self,
        name: str,
        roles: tuple[str, ...],
        *,
        as_comment: bool = False,
        autoreply: bool = False,
        other_recipients: bool = False,
    ) -> None:
        self.name = name  # type: ignore[misc]
        self.roles = roles
        self.as_comment = as_comment
        self.autoreply = autoreply
        self.other_recipients = other_recipients

    def roles_for(self, ticket: Ticket) -> tuple[str, ...]:
        return self.roles

    def prepare(self, ctx: ScripContext) -> list[Draft]:
        # An autoreply answers the person who wrote in, so it goes to the actor too.
        keep = RecipientFilter(
            actor=ctx.transaction.creator, notify_actor=self.autoreply
        )
        data = ctx.transaction.data or {}
        extra_cc = list(data.get("cc") or []) if self.other_recipients else []
        extra_bcc = list(data.get("bcc") or []) if self.other_recipients else []
        recipients = role_recipients(
            ctx.ticket,
            self.roles_for(ctx.ticket),
            keep=keep,
            extra_cc=[str(a) for a in extra_cc],
            extra_bcc=[str(a) for a in extra_bcc],
        )
        mail = render_for(ctx)
        if mail is None:
            return []
        # To/Cc/Bcc lines in a template add recipients, through the same filter.
        recipients.to += keep.addresses(_header_addresses(mail, "To"))
        recipients.cc += keep.addresses(_header_addresses(mail, "Cc"))
        recipients.bcc += keep.addresses(_header_addresses(mail, "Bcc"))
        if not recipients:
            return []
        return [
            Draft(
                recipients=recipients,
                mail=mail,
                is_comment=self.as_comment,
                is_autoreply=self.autoreply,
            )
        ]


class NotifyOwnerOrAdminCcs(Notify):
    def roles_for(self, ticket: Ticket) -> tuple[str, ...]:
        return (Role.ADMIN_CC,) if ticket.owner.is_nobody else (Role.OWNER,)


R, C, A, OW = Role.REQUESTOR, Role.CC, Role.ADMIN_CC, Role.OWNER

register(Notify("Autoreply To Requestors", (R,), autoreply=True))
for _label, _roles in (
    ("Requestors", (R,)),
    ("Owner", (OW,)),
    ("Ccs", (C,)),
    ("AdminCcs", (A,)),
    ("Owner and AdminCcs", (OW, A)),
    ("Requestors and Ccs", (R, C)),
    ("Owner, Requestors, Ccs and AdminCcs", (OW, R, C, A)),
    ("Other Recipients", ()),
):
    for _comment in (False, True):
        register(
            Notify(
                f"Notify {_label}" + (" as Comment" if _comment else ""),
                _roles,
                as_comment=_comment,
                other_recipients=_label == "Other Recipients",
            )
        )
for _comment in (False, True):
    register(
        NotifyOwnerOrAdminCcs(
            "Notify Owner or AdminCcs" + (" as Comment" if _comment else ""),
            (),
            as_comment=_comment,
        )
    )


class OpenInactiveTickets(Action):
    """Correspondence on a resolved (inactive) ticket reopens it."""

    name = "Open Inactive Tickets"

    def target(self, ticket: Ticket) -> str | None:
        return lifecycles.get_lifecycle(ticket.queue.lifecycle.name).reopen_status(
            ticket.status
        )

    def commit(self, ctx: ScripContext) -> None:
        ctx.ticket.refresh_from_db(fields=["status"])
        status = self.target(ctx.ticket)
        if status:
            services.set_status(
                ticket=ctx.ticket, status=status, actor=system_user(), force=True
            )


class OpenTickets(OpenInactiveTickets):
    """Any new or inactive ticket becomes active."""

    name = "Open Tickets"

    def target(self, ticket: Ticket) -> str | None:
        lifecycle = lifecycles.get_lifecycle(ticket.queue.lifecycle.name)
        return lifecycle.open_status(ticket.status) or lifecycle.reopen_status(
            ticket.status
        )


class SetPriority(Action):
    """Argument: the new priority."""

    name = "Set Priority"

    def commit(self, ctx: ScripContext) -> None:
        try:
            priority = int(ctx.argument.strip())
        except ValueError:
            raise ValidationFailed(
                f"Set Priority needs a number, not '{ctx.argument}'."
            ) from None
        services.set_fields(ticket=ctx.ticket, actor=system_user(), priority=priority)


class SetStatus(Action):
    """Argument: the new status (a no-op when the ticket is already there)."""

    name = "Set Status"

    def commit(self, ctx: ScripContext) -> None:
        status = ctx.argument.strip().lower()
        ctx.ticket.refresh_from_db(fields=["status"])
        if status and status != ctx.ticket.status:
            services.set_status(ticket=ctx.ticket, status=status, actor=system_user())


register(OpenInactiveTickets())
register(OpenTickets())
register(SetPriority())
register(SetStatus())
