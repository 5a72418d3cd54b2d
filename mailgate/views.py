"""The endpoint RT's rt-mailgate posts to, so a mail server configured for RT keeps
working: POST /REST/1.0/NoAuth/mail-gateway with the fields queue, action, message and
optionally ticket.

Answers are plain text, first line `ok`, `not ok - why` or `temporary failure - why`.
RT's rt-mailgate exits 0 on `not ok` and the mail is gone, so a message the gateway
could not take for a reason worth retrying (unknown queue, database down) is answered
`temporary failure`. Our own `mailgate --url` client sends `client=tracker-mailgate`
and then gets `not ok - 5.x.x …` for a permanent refusal, which it turns into a bounce.
"""

from __future__ import annotations

import ipaddress
import logging
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mailgate.models import InboundStatus
from mailgate.services import (
    GatewayMisconfigured,
    GatewayRefusal,
    ingest,
    max_message_size,
)

logger = logging.getLogger(__name__)

OUR_CLIENT = "tracker-mailgate"


def _answer(text: str, status: int = 200) -> HttpResponse:
    line = " ".join(text.split())
    return HttpResponse(line + "\n", status=status, content_type="text/plain")


@csrf_exempt
@require_POST
def mail_gateway(request: HttpRequest) -> HttpResponse:
    if not _client_allowed(request):
        return _answer("not ok - 5.7.1 this address may not use the mail gateway", 403)
    # Base64 or URL encoding can grow a message by a third; leave room for the fields.
    limit = max_message_size() * 3 // 2 + 64 * 1024
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        return _answer("not ok - 5.3.4 Message too big for system", 413)
    # Read the body directly: the message must stay bytes (8-bit mail), and Django's
    # form parsing would decode it as text and cap it at DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _answer("not ok - 5.3.4 Message too big for system", 413)
    fields = form_fields(request.META.get("CONTENT_TYPE", ""), body)
    ours = fields.get("client", b"").decode("ascii", "replace") == OUR_CLIENT
    message = fields.get("message", b"")
    if not message.strip():
        return _answer("not ok - 5.6.0 no message given")
    text = {
        k: v.decode("utf-8", "replace") for k, v in fields.items() if k != "message"
    }
    try:
        result = ingest(
            raw=message,
            queue=text.get("queue") or "General",
            action=text.get("action") or "correspond",
            ticket=text.get("ticket") or None,
            envelope_sender=text.get("sender", ""),
            envelope_recipient=text.get("recipient", ""),
            extension=text.get("extension", ""),
            interface="http",
        )
    except GatewayRefusal as exc:
        if ours:
            return _answer(f"not ok - {exc.message}")
        return _answer(f"temporary failure - {exc.message}")
    except GatewayMisconfigured as exc:
        return _answer(f"temporary failure - misconfigured: {exc}")
    except Exception as exc:  # noqa: BLE001 - not stored: the sender must retry
        logger.warning("mail-gateway could not store a message: %s", exc)
        return _answer("temporary failure - could not store the message", 503)
    if result.status in (InboundStatus.PROCESSED, InboundStatus.DUPLICATE):
        lines = [
            "ok",
            f"Ticket: {result.ticket_id or ''}",
            f"Stored: {result.inbound_id}",
        ]
        return HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )
    # Stored but not applied (rejected, quarantined, failed): kept for the admins.
    if result.status == InboundStatus.FAILED:
        # The reason is a traceback: for the administrators, not for the client.
        return _answer(f"not ok - failed: stored as #{result.inbound_id} for review")
    reason = result.reason.strip().splitlines()[-1] if result.reason else result.status
    return _answer(f"not ok - {result.status}: {reason[:300]}")


def form_fields(content_type: str, body: bytes) -> dict[str, bytes]:
    """The posted fields as bytes, from multipart/form-data or URL encoding."""
    if content_type.lower().startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode(
            "latin-1", "replace"
        )
        container = BytesParser(policy=compat32).parsebytes(head + body)
        payload = container.get_payload()
        parts: list[Message] = payload if isinstance(payload, list) else []
        fields = {}
        for part in parts:
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str) and name not in fields:
                data = part.get_payload(decode=True)
                fields[name] = data if isinstance(data, bytes) else b""
        return fields
    pairs = parse_qsl(
        body.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
    )
    fields = {}
    for name, value in pairs:
        fields.setdefault(name, value.encode("latin-1"))
    return fields


def _client_allowed(request: HttpRequest) -> bool:
    """Optionally restrict the endpoint to the mail hosts (MAILGATE_HTTP_ALLOWED_NETWORKS,
    a list of CIDRs); RT leaves it open, and so does the default."""
    networks = getattr(settings, "MAILGATE_HTTP_ALLOWED_NETWORKS", None)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
