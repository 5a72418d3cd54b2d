"""The outbox: notifications are written in the scrip run's database transaction, then
sent by a task, once each.

Sending holds the row lock until the sent mark commits, so a worker killed before the
SMTP server accepted the message leaves the row pending (it is sent again), and a
second worker skips a row being sent. The only duplicate window is "SMTP accepted, the
process died before COMMIT"; the Message-ID is fixed beforehand, so a duplicate threads
as the same message.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from scrips.actions import Draft
from scrips.models import Notification, NotificationStatus, ScripRun
from scrips.rendering import RenderedMail
from tracker.mail import (
    AUTO_SUBMITTED,
    LOOP_HEADER,
    TICKET_HEADER,
    add_subject_tag,
    make_message_id,
    sanitize_header_value,
)
from tracker.models import Attachment, Ticket, Transaction
from tracker.services.outgoing import record_outgoing_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10

# Headers a template may not set: they carry threading, loop protection and identity.
_RESERVED = {
    h.lower()
    for h in (
        "Message-ID",
        "In-Reply-To",
        "References",
        "From",
        "Sender",
        "Reply-To",
        "Return-Path",
        "Date",
        "MIME-Version",
        "Content-Transfer-Encoding",
        AUTO_SUBMITTED,
        LOOP_HEADER,
        TICKET_HEADER,
    )
}


class SendResult:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"


def rtname() -> str:
    return getattr(settings, "TRACKER_RTNAME", "tracker")


def mail_domain() -> str:
    """The domain of our Message-IDs; the gateway recognises replies by it."""
    domain = getattr(settings, "TRACKER_MAIL_DOMAIN", "")
    if domain:
        return domain
    default = getattr(settings, "DEFAULT_FROM_EMAIL", "")
    return default.rpartition("@")[2].strip("> ") or "localhost"


def _sender_address(ticket: Ticket, *, is_comment: bool) -> str:
    queue = ticket.queue
    address = queue.comment_address if is_comment else queue.correspond_address
    address = address or queue.correspond_address
    if address:
        return address
    default = getattr(settings, "DEFAULT_FROM_EMAIL", "")
    return default.rpartition("<")[2].strip("> ") or f"{rtname()}@localhost"


def _references(txn: Transaction, ticket: Ticket, domain: str) -> list[str]:
    """The message that triggered this one (when it came by mail or was ours), then a
    per-ticket pseudo-reference that lets mail clients thread every mail of a ticket."""
    refs = [
        mid
        for mid in Attachment.objects.filter(
            transaction=txn, parent__isnull=True
        ).values_list("message_id", flat=True)
        if mid
    ]
    refs.append(f"<RT-Ticket-{ticket.pk}@{domain}>")
    return [sanitize_header_value(r) for r in refs]


def build_notification(
    *, draft: Draft, run: ScripRun, ticket: Ticket, txn: Transaction
) -> Notification:
    """Create the outbox row for `draft` (inside the scrip run's atomic block)."""
    name, domain = rtname(), mail_domain()
    tag = ticket.queue.subject_tag or name
    subject = add_subject_tag(
        sanitize_header_value(draft.mail.subject or ticket.subject), tag, ticket.pk
    )
    address = _sender_address(ticket, is_comment=draft.is_comment)
    actor = txn.creator
    display = name if actor.is_system else f"{actor.display_name} via {name}"
    refs = _references(txn, ticket, domain)
    headers = {
        LOOP_HEADER: name,
        TICKET_HEADER: f"{name} #{ticket.pk}",
        AUTO_SUBMITTED: "auto-replied" if draft.is_autoreply else "auto-generated",
        "Precedence": "bulk",
        "X-Auto-Response-Suppress": "All",
        "In-Reply-To": refs[0],
        "References": " ".join(refs),
    }
    for key, value in draft.mail.headers:
        if key.lower() not in _RESERVED:
            headers[key] = sanitize_header_value(value)
    return Notification.objects.create(
        scrip_run=run,
        ticket=ticket,
        message_id=make_message_id(
            ticket_id=ticket.pk, transaction_id=txn.pk, domain=domain
        ),
        is_comment=draft.is_comment,
        from_email=formataddr((sanitize_header_value(display), address)),
        reply_to=address,
        to=draft.recipients.to,
        cc=draft.recipients.cc,
        bcc=draft.recipients.bcc,
        subject=subject,
        headers=headers,
        body_text=draft.mail.body_text,
        body_html=draft.mail.body_html,
    )


def build_periodic_notification(
    *, mail: RenderedMail, ticket: Ticket | None, to: list[str], dedupe_key: str
) -> Notification:
    """An outbox row written by a periodic job (reminder, digest): from the tracker,
    about one ticket (threaded with it) or none."""
    name, domain = rtname(), mail_domain()
    headers = {
        LOOP_HEADER: name,
        AUTO_SUBMITTED: "auto-generated",
        "Precedence": "bulk",
        "X-Auto-Response-Suppress": "All",
    }
    for key, value in mail.headers:
        if key.lower() not in _RESERVED and key.lower() not in ("to", "cc", "bcc"):
            headers[key] = sanitize_header_value(value)
    subject = sanitize_header_value(mail.subject)
    if ticket is not None:
        subject = add_subject_tag(
            subject or ticket.subject, ticket.queue.subject_tag or name, ticket.pk
        )
        thread = f"<RT-Ticket-{ticket.pk}@{domain}>"
        headers.update(
            {
                TICKET_HEADER: f"{name} #{ticket.pk}",
                "In-Reply-To": thread,
                "References": thread,
            }
        )
        address = _sender_address(ticket, is_comment=False)
        message_id = make_message_id(
            ticket_id=ticket.pk, transaction_id=0, domain=domain
        )
    else:
        default = getattr(settings, "DEFAULT_FROM_EMAIL", "")
        address = default.rpartition("<")[2].strip("> ") or f"{name}@localhost"
        message_id = f"<rt-digest-{secrets.token_hex(8)}@{domain}>"
    return Notification.objects.create(
        ticket=ticket,
        dedupe_key=dedupe_key,
        message_id=message_id,
        from_email=formataddr((name, address)),
        reply_to=address,
        to=to,
        subject=subject or f"[{name}]",
        headers=headers,
        body_text=mail.body_text,
        body_html=mail.body_html,
    )


def as_email_message(row: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=[row.reply_to] if row.reply_to else None,
        headers={**row.headers, "Message-ID": row.message_id},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _is_permanent(exc: Exception) -> bool:
    """5xx answers (and every recipient refused) will not get better by retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def send_notification(notification_id: int) -> str:
    """Send one pending outbox row and record it on the ticket, once.

    Returns a SendResult. Temporary SMTP failures (4xx, connection errors) count an
    attempt and return RETRY until MAX_ATTEMPTS; permanent ones mark the row failed.
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket", "scrip_run")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if row is None:
            return SendResult.SKIPPED
        row.attempts += 1
        try:
            as_email_message(row).send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            permanent = _is_permanent(exc) or row.attempts >= MAX_ATTEMPTS
            if permanent:
                row.status = NotificationStatus.FAILED
            row.save(update_fields=["attempts", "last_error", "status"])
            logger.warning(
                "Notification %s not sent (%s): %s",
                row.pk,
                "gave up" if permanent else "will retry",
                row.last_error,
            )
            return SendResult.FAILED if permanent else SendResult.RETRY
        row.status = NotificationStatus.SENT
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        if row.ticket is None:  # a digest: about many tickets, recorded on none
            return SendResult.SENT
        record_outgoing_email(
            ticket=row.ticket,
            is_comment=row.is_comment,
            message_id=row.message_id,
            subject=row.subject,
            from_email=row.from_email,
            to=row.to,
            cc=row.cc,
            bcc=row.bcc,
            body=row.body_html or row.body_text,
            content_type="text/html" if row.body_html else "text/plain",
            headers="\n".join(f"{k}: {v}" for k, v in row.headers.items()),
            triggered_by=row.scrip_run.transaction_id if row.scrip_run else None,
        )
    return SendResult.SENT
