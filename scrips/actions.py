"""Scrip actions: registered classes, chosen by name on a Scrip.

An action runs in two phases, as in RT: `prepare` renders what it would send (raising
TemplateError stops only this scrip), then `commit` writes it: outbox rows for
notifications, or a ticket change through `tracker.services` acting as the system user.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from email.utils import getaddresses
from typing import ClassVar

from django.db.models import F, Q

from lifecycles import registry as lifecycles
from scrips.models import Scrip, ScripRun, Template
from scrips.recipients import (
    RecipientFilter,
    Recipients,
    role_recipients,
    squelched_addresses,
)
from scrips.rendering import (
    RenderedMail,
    TemplateError,
    render_template,
    template_context,
    transaction_content,
)
from tracker import services
from tracker.errors import ValidationFailed
from tracker.models import Role, Ticket, Transaction, TransactionType
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
    # Set for `commit`: the claimed run, and the webhook rows the commit wrote.
    run: ScripRun | None = None
    webhook_ids: list[int] = field(default_factory=list)

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
            actor=ctx.transaction.creator,
            notify_actor=self.autoreply,
            squelch=squelched_addresses(ctx.transaction),
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
        # The status that counts is the one the message found. A status set after it
        # (a reply and resolve in one update, or someone since) is left alone.
        if Transaction.objects.filter(
            ticket_id=ctx.ticket.pk,
            type=TransactionType.STATUS,
            pk__gt=ctx.transaction.pk,
        ).exists():
            return
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


class CreateLinkedTickets(Action):
    """Create a ticket from the template and link it to this one.

    The template's `Queue:` header names the queue (default: this ticket's), `Subject:`
    the subject, `Requestors:` its requestors, and the body is its first message.
    Argument: how this ticket relates to the new one, `DependsOn` (the default),
    `RefersTo`, `HasMember` or `MemberOf`.
    """

    name = "Create Linked Tickets"

    def prepare(self, ctx: ScripContext) -> list[Draft]:
        kind = ctx.argument.strip() or "DependsOn"
        if kind not in ("DependsOn", "RefersTo", "HasMember", "MemberOf"):
            raise ValidationFailed(f"Create Linked Tickets: unknown link '{kind}'.")
        return []

    def _created_by_this_action(self, ticket: Ticket, kind: str) -> bool:
        """The ticket is itself the new end of such a link made by the system: running
        again on it would create tickets without end."""
        from tracker.models import Link

        link_type = {"HasMember": "MemberOf"}.get(kind, kind)
        new_end = {"base": ticket} if kind == "HasMember" else {"target": ticket}
        return Link.objects.filter(
            type=link_type, creator=system_user(), **new_end
        ).exists()

    def commit(self, ctx: ScripContext) -> None:
        from queues.models import Queue

        kind = ctx.argument.strip() or "DependsOn"
        if self._created_by_this_action(ctx.ticket, kind):
            return
        mail = render_for(ctx)
        if mail is None:
            return
        queue_names = mail.header_values("Queue")
        queue = (
            Queue.objects.filter(name__iexact=queue_names[0]).first()
            if queue_names
            else ctx.ticket.queue
        )
        if queue is None:
            raise ValidationFailed(f"There is no queue called '{queue_names[0]}'.")
        requestors = [
            address
            for _, address in getaddresses(mail.header_values("Requestors"))
            if address
        ]
        actor = system_user()
        child = services.create_ticket(
            queue=queue,
            actor=actor,
            subject=mail.subject or ctx.ticket.subject,
            body=mail.body_html or mail.body_text,
            content_type="text/html" if mail.body_html else "text/plain",
            requestors=requestors,
        )
        services.add_link(ticket=ctx.ticket, kind=kind, other=child, actor=actor)


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\d.])")
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])"
)
_DOMAIN = re.compile(
    r"(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9](?![\w-])",
    re.IGNORECASE,
)


def extract_ips(text: str) -> list[str]:
    """IPv4 and IPv6 addresses (and IPv4 CIDR ranges) in the text, first seen first."""
    found: list[str] = []
    for match in [*_IPV4.finditer(text), *_IPV6.finditer(text)]:
        value = match.group(0)
        try:
            normal = str(
                ipaddress.ip_network(value, strict=False)
                if "/" in value
                else ipaddress.ip_address(value)
            )
        except ValueError:
            continue
        if normal not in found:
            found.append(normal)
    return found


def extract_domains(text: str) -> list[str]:
    """Host names in the text (not mail addresses' domains), lower-cased, once each."""
    found: list[str] = []
    for match in _DOMAIN.finditer(text):
        value = match.group(0).lower().rstrip(".")
        if value not in found:
            found.append(value)
    return found


class ExtractCustomFieldValues(Action):
    """Add the IP addresses and domain names found in the message to custom fields.

    Argument: `ip=<field name>; domain=<field name>` (either part optional), e.g.
    `ip=IP; domain=Domain` for an incident report. Values already there stay; a field
    that takes one value is filled only when empty.
    """

    name = "Extract Custom Field Values"

    def _fields(self, argument: str) -> dict[str, str]:
        fields: dict[str, str] = {}
        for part in argument.split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() in ("ip", "domain") and value.strip():
                fields[key.strip().lower()] = value.strip()
        if not fields:
            raise ValidationFailed(
                "Extract Custom Field Values needs 'ip=<field>' and/or 'domain=<field>'."
            )
        return fields

    def prepare(self, ctx: ScripContext) -> list[Draft]:
        self._fields(ctx.argument)
        return []

    def commit(self, ctx: ScripContext) -> None:
        from tracker.models import CustomFieldValue
        from tracker.services.customfields import custom_fields_for_queue

        text = "\n".join(
            [
                str((ctx.transaction.data or {}).get("subject", "")),
                transaction_content(ctx.transaction),
            ]
        )
        by_name = {
            f.name.casefold(): f for f in custom_fields_for_queue(ctx.ticket.queue_id)
        }
        for kind, field_name in self._fields(ctx.argument).items():
            field = by_name.get(field_name.casefold())
            if field is None:
                raise ValidationFailed(
                    f"Custom field '{field_name}' does not apply to this queue."
                )
            found = extract_ips(text) if kind == "ip" else extract_domains(text)
            current = list(
                CustomFieldValue.objects.filter(ticket=ctx.ticket, custom_field=field)
                .order_by("pk")
                .values_list("content", flat=True)
            )
            new = [v for v in found if v not in current]
            if not new or (field.is_single and current):
                continue
            values = [*current, *new]
            if field.max_values:
                values = values[: field.max_values]
            services.set_custom_field(
                ticket=ctx.ticket, field=field, values=values, actor=system_user()
            )


class Webhook(Action):
    """POST a signed JSON event about the transaction to the URL in the argument,
    through the webhook outbox (retried with backoff)."""

    name = "Webhook"

    def prepare(self, ctx: ScripContext) -> list[Draft]:
        from scrips.webhooks import check_url

        check_url(ctx.argument)
        return []

    def commit(self, ctx: ScripContext) -> None:
        from scrips.webhooks import build_delivery

        assert ctx.run is not None
        delivery = build_delivery(
            url=ctx.argument, run=ctx.run, ticket=ctx.ticket, txn=ctx.transaction
        )
        ctx.webhook_ids.append(delivery.pk)


class SetDueBySLA(Action):
    """Keep Due where the queue's service level puts it (scrips/sla.py); a no-op for
    queues without one and for closed tickets."""

    name = "Set Due Date According to SLA"

    def commit(self, ctx: ScripContext) -> None:
        from scrips.sla import sla_due

        ticket = ctx.ticket
        ticket.refresh_from_db(fields=["status", "due", "starts"])
        lifecycle = lifecycles.get_lifecycle(ticket.queue.lifecycle.name)
        if lifecycle.is_inactive(ticket.status):
            return
        due = sla_due(ticket)
        if due != ticket.due:
            services.set_fields(ticket=ticket, actor=system_user(), due=due)


register(OpenInactiveTickets())
register(CreateLinkedTickets())
register(ExtractCustomFieldValues())
register(Webhook())
register(SetDueBySLA())
register(OpenTickets())
register(SetPriority())
register(SetStatus())
