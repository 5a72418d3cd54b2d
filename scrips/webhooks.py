"""Webhooks: a signed JSON event POSTed to a URL, from an outbox row, retried.

The body is the JSON event; `X-Tracker-Signature: sha256=<hex>` is the HMAC-SHA256 of
`<timestamp>.<body>` with SCRIPS_WEBHOOK_SECRET (a key derived from SECRET_KEY when
unset), `X-Tracker-Timestamp` the Unix time of the attempt and `X-Tracker-Event` the
event id, the same on every retry so a receiver can drop duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from scrips.models import NotificationStatus, ScripRun, WebhookDelivery
from tracker.errors import ValidationFailed
from tracker.models import Ticket, Transaction

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
EVENT_HEADER = "X-Tracker-Event"


class WebhookResult:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"


def webhook_secret() -> bytes:
    secret = getattr(settings, "SCRIPS_WEBHOOK_SECRET", "")
    if secret:
        return secret.encode()
    return salted_hmac("scrips.webhooks", "signing-key").hexdigest().encode()


def sign(body: bytes, timestamp: str, secret: bytes | None = None) -> str:
    """The signature header's value for this body and timestamp."""
    digest = hmac.new(
        secret or webhook_secret(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def verify(body: bytes, timestamp: str, signature: str, secret: bytes) -> bool:
    """What a receiver does (constant-time comparison)."""
    return hmac.compare_digest(sign(body, timestamp, secret), signature)


def check_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed(f"A webhook needs an http(s) URL, not '{url}'.")
    return url


def event_payload(*, ticket: Ticket, txn: Transaction, event_id: str) -> dict[str, Any]:
    """The JSON event: the transaction and the ticket's main fields, as plain values."""
    return {
        "event": event_id,
        "transaction": {
            "id": txn.pk,
            "type": str(txn.type),
            "field": txn.field,
            "old_value": txn.old_value,
            "new_value": txn.new_value,
            "created": txn.created.isoformat(),
            "actor": txn.creator.username,
        },
        "ticket": {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "queue": ticket.queue.name,
            "owner": None if ticket.owner.is_nobody else ticket.owner.username,
        },
    }


def build_delivery(
    *, url: str, run: ScripRun, ticket: Ticket, txn: Transaction
) -> WebhookDelivery:
    """The outbox row (inside the scrip run's atomic block)."""
    event_id = f"{txn.pk}-{run.scrip_id}-{ticket.pk}-{secrets.token_hex(4)}"
    return WebhookDelivery.objects.create(
        scrip_run=run,
        ticket=ticket,
        event_id=event_id,
        url=check_url(url),
        payload=event_payload(ticket=ticket, txn=txn, event_id=event_id),
    )


def _post(row: WebhookDelivery) -> int:
    body = json.dumps(row.payload, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - check_url allows http(s) only
        row.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "tracker-webhook/1",
            SIGNATURE_HEADER: sign(body, timestamp),
            TIMESTAMP_HEADER: timestamp,
            EVENT_HEADER: row.event_id,
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.status


def _is_permanent(code: int | None) -> bool:
    """A 4xx other than timeout / rate limit will not get better by retrying."""
    return code is not None and 400 <= code < 500 and code not in (408, 425, 429)


def deliver_webhook(delivery_id: int) -> str:
    """POST one pending delivery. Returns a WebhookResult; RETRY on 5xx, timeouts and
    connection errors until MAX_ATTEMPTS."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=NotificationStatus.PENDING)
            .first()
        )
        if row is None:
            return WebhookResult.SKIPPED
        row.attempts += 1
        try:
            row.response_code = _post(row)
        except urllib.error.HTTPError as exc:
            row.response_code, row.last_error = exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            row.response_code, row.last_error = None, f"{type(exc).__name__}: {exc}"
        if row.response_code is not None and 200 <= row.response_code < 300:
            row.status, row.sent_at, row.last_error = (
                NotificationStatus.SENT,
                timezone.now(),
                "",
            )
            result = WebhookResult.SENT
        elif _is_permanent(row.response_code) or row.attempts >= MAX_ATTEMPTS:
            row.status = NotificationStatus.FAILED
            result = WebhookResult.FAILED
        else:
            result = WebhookResult.RETRY
        row.last_error = row.last_error[:2000]
        row.save()
    if result != WebhookResult.SENT:
        logger.warning(
            "Webhook %s to %s: %s (%s)", row.pk, row.url, result, row.last_error
        )
    return result
