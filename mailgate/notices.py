"""The one short notice a sender gets when a message was refused for lack of rights, or
when commands in it failed. Refused mail is kept, never silently dropped (RT's gateway
exits 0 and the mail is gone); the notice tells the sender so.

Never sent to auto-generated mail, to the tracker's own addresses, or more than
MAILGATE_NOTICES_PER_HOUR times an hour to one sender, so two robots cannot keep each
other busy. Sent at most once: the row is claimed before the mail goes out, because a
lost courtesy notice is better than a storm of repeated ones.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from mailgate.models import InboundEmail, InboundStatus
from queues.models import Queue
from tracker.mail import AUTO_SUBMITTED, LOOP_HEADER, sanitize_header_value

logger = logging.getLogger(__name__)


def notices_per_hour() -> int:
    return int(getattr(settings, "MAILGATE_NOTICES_PER_HOUR", 3))


def compose_notice(inbound: InboundEmail, *, refused_for_rights: bool) -> str:
    """The notice text for a message just applied (or refused), or "" for none."""
    if refused_for_rights:
        reason = inbound.reason.strip().splitlines()[-1] if inbound.reason else ""
        return (
            "Your message could not be added to the helpdesk: "
            f"{reason or 'permission denied'}\n\n"
            "It has been kept for the helpdesk staff, who can accept it. "
            "There is no need to send it again.\n"
        )
    if inbound.status == InboundStatus.PROCESSED and inbound.reason:
        where = f" to ticket #{inbound.ticket_id}" if inbound.ticket_id else ""
        failures = "\n".join(f"  - {note}" for note in inbound.reason.split("; "))
        return (
            f"Your message was added{where}, but not everything in it could be "
            f"done:\n\n{failures}\n"
        )
    return ""


def should_notify(inbound: InboundEmail) -> bool:
    """Not to robots, not to ourselves, and not too often to one sender."""
    sender = inbound.sender.strip().lower()
    if inbound.is_auto_generated or "@" not in sender:
        return False
    if sender in _own_addresses():
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = (
        InboundEmail.objects.filter(sender__iexact=sender, received_at__gte=since)
        .exclude(notice="")
        .exclude(pk=inbound.pk)
        .count()
    )
    return recent < notices_per_hour()


def send_notice(inbound_id: int) -> bool:
    """Send the stored notice of one inbound message, once. True when sent."""
    claimed = InboundEmail.objects.filter(
        pk=inbound_id, notice_sent_at__isnull=True
    ).exclude(notice="")
    if not claimed.update(notice_sent_at=timezone.now()):
        return False
    inbound = InboundEmail.objects.select_related("queue").get(pk=inbound_id)
    rtname = getattr(settings, "TRACKER_RTNAME", "tracker")
    headers = {
        AUTO_SUBMITTED: "auto-replied",
        LOOP_HEADER: rtname,
        "X-Auto-Response-Suppress": "All",
    }
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
        headers["References"] = inbound.message_id
    subject = sanitize_header_value(inbound.subject)[:200]
    message = EmailMessage(
        subject=f"Re: {subject}" if subject else "Your message to the helpdesk",
        body=inbound.notice,
        from_email=_from_address(inbound),
        to=[inbound.sender],
        headers=headers,
    )
    message.send(fail_silently=False)
    logger.info("Notice for inbound #%s sent to %s", inbound.pk, inbound.sender)
    return True


def _from_address(inbound: InboundEmail) -> str:
    if inbound.queue is not None and inbound.queue.correspond_address:
        return inbound.queue.correspond_address
    return settings.DEFAULT_FROM_EMAIL


def _own_addresses() -> set[str]:
    own = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    for pair in Queue.objects.values_list("correspond_address", "comment_address"):
        own.update(address.lower() for address in pair if address)
    return own
