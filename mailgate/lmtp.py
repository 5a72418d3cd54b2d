"""LMTP delivery (RFC 2033) for busy sites: the mail server hands messages over a local
socket instead of starting a process per message.

Each recipient is routed by the queues' correspond and comment addresses (with `+ticket`
or `+action` extensions). After DATA the server answers once per accepted recipient:
250 only after that recipient's copy is committed, 451 when it could not be stored (the
mail server retries just that recipient), 550/552 for permanent refusals.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.db import close_old_connections

from mailgate.routing import Delivery, QueueAddresses, route_recipient
from mailgate.services import (
    GatewayMisconfigured,
    GatewayRefusal,
    ingest,
    max_message_size,
)
from queues.models import Queue

logger = logging.getLogger(__name__)


def _queue_addresses() -> list[QueueAddresses]:
    return [
        QueueAddresses(name, correspond or "", comment or "")
        for name, correspond, comment in Queue.objects.values_list(
            "name", "correspond_address", "comment_address"
        )
    ]


def _route(address: str) -> Delivery | None:
    close_old_connections()
    return route_recipient(address, _queue_addresses())


def _deliver(raw: bytes, sender: str, recipient: str, delivery: Delivery) -> str:
    """One recipient's copy: the LMTP reply line for it."""
    close_old_connections()
    extension = recipient.partition("@")[0].partition("+")[2]
    try:
        result = ingest(
            raw=raw,
            queue=delivery.queue,
            action="-".join(delivery.actions),
            ticket=delivery.ticket_id,
            extension=extension,
            envelope_sender=sender,
            envelope_recipient=recipient,
            interface="lmtp",
        )
    except GatewayRefusal as exc:
        code = "552" if exc.code == 65 else "550"
        return f"{code} {exc.message}"
    except GatewayMisconfigured as exc:
        return f"451 4.3.5 {exc}"
    except Exception as exc:  # noqa: BLE001 - not stored: this recipient is retried
        logger.warning("LMTP delivery to %s not stored: %s", recipient, exc)
        return "451 4.3.0 temporary failure, please retry"
    return f"250 2.0.0 <{recipient}> stored as #{result.inbound_id} ({result.status})"


class GatewayHandler:
    """aiosmtpd handler. Database work runs in worker threads (the ORM is synchronous)."""

    def __init__(self, workers: int = 2) -> None:
        self.executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="lmtp"
        )

    async def _run(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, func, *args
        )

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: LMTP,
        session: Any,
        envelope: Any,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            delivery = await self._run(_route, address)
        except Exception as exc:  # noqa: BLE001 - e.g. the database is down
            logger.warning("LMTP cannot route %s: %s", address, exc)
            return "451 4.3.0 temporary failure, please retry"
        if delivery is None:
            return f"550 5.1.1 <{address}>: no queue has this address"
        if not hasattr(envelope, "deliveries"):
            envelope.deliveries = {}
        envelope.deliveries[address] = delivery
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: LMTP, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or b""
        deliveries = getattr(envelope, "deliveries", {})
        replies = []
        for recipient in envelope.rcpt_tos:
            replies.append(
                await self._run(
                    _deliver,
                    raw,
                    envelope.mail_from or "",
                    recipient,
                    deliveries[recipient],
                )
            )
        # LMTP wants one reply per recipient; aiosmtpd sends what it is given, so the
        # replies go out as consecutive lines, in recipient order.
        return "\r\n".join(replies)


class LMTPController(Controller):
    def factory(self) -> LMTP:
        return LMTP(
            self.handler,
            data_size_limit=max_message_size(),
            decode_data=False,
            **self.SMTP_kwargs,
        )


def make_controller(host: str, port: int) -> LMTPController:
    return LMTPController(GatewayHandler(), hostname=host, port=port)
