"""Fetch mail from per-queue IMAP and POP3 mailboxes (the fetchmail alternative).

Each message goes through the same `ingest()` as a piped one, and is deleted (or, for
IMAP, moved) on the server only after `ingest()` has returned, that is after its
transaction committed. A message that cannot be stored (database down, a bug) stays on
the server and the poll stops there; the next poll tries it again, and a redelivery is
recognised as a duplicate, so a crash between the commit and the delete costs nothing.

POP3 applies deletions only on QUIT, so QUIT is sent even when a poll stops early:
skipping it would bring back the messages already stored (django-helpdesk's trap).
"""

from __future__ import annotations

import imaplib
import logging
import poplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from mailgate.models import AfterStore, Mailbox, MailboxProtocol, MailboxSecurity
from mailgate.services import GatewayMisconfigured, GatewayRefusal, IngestResult, ingest

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


class MailboxError(Exception):
    """The mailbox cannot be read (connection, login, folder): nothing was removed."""


@dataclass
class PollResult:
    mailbox: str
    stored: int = 0
    duplicates: int = 0
    left_on_server: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = (
            f"{self.mailbox}: {self.stored} stored, {self.duplicates} duplicates, "
            f"{self.left_on_server} left on the server"
        )
        return text + (f"; errors: {'; '.join(self.errors)}" if self.errors else "")


def poll_due_mailboxes(*, force: bool = False) -> list[PollResult]:
    """Poll every active mailbox whose interval has passed (all active ones with
    `force`). Side effects: tickets as for piped mail; mail removed from the servers."""
    now = timezone.now()
    results = []
    for mailbox in Mailbox.objects.filter(is_active=True).select_related("queue"):
        due = mailbox.last_polled_at is None or (
            mailbox.last_polled_at + timedelta(minutes=mailbox.every_minutes) <= now
        )
        if force or due:
            results.append(poll_mailbox(mailbox))
    return results


def poll_mailbox(mailbox: Mailbox) -> PollResult:
    """Fetch, store and then remove the mailbox's messages. Never raises for trouble
    with the server or the database: the result (and `mailbox.last_error`) says what
    happened, and whatever was not stored is still on the server."""
    # Deleting must wait for a real COMMIT; inside an outer atomic block ingest()
    # would only release a savepoint and a later rollback would lose the message.
    if connection.in_atomic_block:
        raise RuntimeError("poll_mailbox must run outside a database transaction")
    result = PollResult(mailbox.name)
    if not _claim(mailbox):
        result.errors.append("another poll of this mailbox is running")
        return result
    try:
        if mailbox.protocol == MailboxProtocol.IMAP:
            _poll_imap(mailbox, result)
        else:
            _poll_pop3(mailbox, result)
    except MailboxError as exc:
        result.errors.append(str(exc))
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(),
            last_error="; ".join(result.errors)[:4000],
            lease_until=None,
        )
    for error in result.errors:
        logger.warning("Mailbox %s: %s", mailbox.name, error)
    return result


def _claim(mailbox: Mailbox) -> bool:
    """A conditional UPDATE: only one poll holds the lease at a time."""
    now = timezone.now()
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )


def _store(mailbox: Mailbox, raw: bytes, result: PollResult) -> bool:
    """Ingest one message; True when it is stored (so it may leave the server)."""
    try:
        outcome: IngestResult = ingest(
            raw=raw,
            queue=mailbox.queue.name,
            action=mailbox.action,
            interface=mailbox.protocol,
            envelope_recipient=f"{mailbox.username}@{mailbox.host}",
        )
    except GatewayRefusal as exc:
        # Too large, or the queue was disabled: not stored, so it must stay.
        result.left_on_server += 1
        result.errors.append(f"refused: {exc.message}")
        return False
    except GatewayMisconfigured as exc:
        result.errors.append(f"misconfigured: {exc}")
        raise MailboxError(f"mailbox action is invalid: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - not stored: keep it on the server
        raise MailboxError(
            f"could not store a message ({exc.__class__.__name__}: "
            f"{' '.join(str(exc).split())[:300]})"
        ) from None
    if outcome.status == "duplicate":
        result.duplicates += 1
    else:
        result.stored += 1
    return True


# --- IMAP -------------------------------------------------------------------------


def _imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    host, port, timeout = mailbox.host, mailbox.effective_port, mailbox.timeout
    try:
        if mailbox.security == MailboxSecurity.SSL:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            if mailbox.security == MailboxSecurity.STARTTLS:
                client.starttls(ssl.create_default_context())
        client.login(mailbox.username, mailbox.password)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"IMAP connection or login failed: {exc}") from None
    return client


def _imap_ok(answer: tuple[str, list], what: str) -> list:
    status, data = answer
    if status != "OK":
        raise MailboxError(f"IMAP {what} failed: {data!r}"[:500])
    return data


def _poll_imap(mailbox: Mailbox, result: PollResult) -> None:
    client = _imap_connect(mailbox)
    removed = False
    try:
        _imap_ok(client.select(_imap_quote(mailbox.folder)), "SELECT")
        data = _imap_ok(client.uid("SEARCH", None, "UNDELETED"), "SEARCH")
        uids = (data[0] or b"").split()[: mailbox.batch_size]
        for uid in uids:
            raw = _imap_fetch(client, uid)
            if raw is None:
                continue
            if not _store(mailbox, raw, result):
                continue
            _imap_remove(client, mailbox, uid)
            removed = True
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"IMAP error: {exc}") from None
    finally:
        try:
            if removed:
                client.expunge()
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            # Flagged \Deleted but not expunged: the next poll skips them (UNDELETED)
            # and expunges on its own success.
            pass


def _imap_fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK leaves the \Seen flag alone, so a message left on the server after a
    # failure still looks unread to anyone reading the mailbox.
    data = _imap_ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _imap_remove(client: imaplib.IMAP4, mailbox: Mailbox, uid: bytes) -> None:
    if mailbox.after_store == AfterStore.MOVE and mailbox.move_to:
        _imap_ok(client.uid("COPY", uid, _imap_quote(mailbox.move_to)), "COPY")
    _imap_ok(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")


def _imap_quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- POP3 -------------------------------------------------------------------------


def _pop3_connect(mailbox: Mailbox) -> poplib.POP3:
    host, port, timeout = mailbox.host, mailbox.effective_port, mailbox.timeout
    try:
        if mailbox.security == MailboxSecurity.SSL:
            client: poplib.POP3 = poplib.POP3_SSL(
                host, port, context=ssl.create_default_context(), timeout=timeout
            )
        else:
            client = poplib.POP3(host, port, timeout=timeout)
            if mailbox.security == MailboxSecurity.STARTTLS:
                client.stls(ssl.create_default_context())
        client.user(mailbox.username)
        client.pass_(mailbox.password)
    except (OSError, poplib.error_proto) as exc:
        raise MailboxError(f"POP3 connection or login failed: {exc}") from None
    return client


def _poll_pop3(mailbox: Mailbox, result: PollResult) -> None:
    client = _pop3_connect(mailbox)
    try:
        count, _ = client.stat()
        for number in range(1, min(count, mailbox.batch_size) + 1):
            _, lines, _ = client.retr(number)
            raw = b"\r\n".join(lines) + b"\r\n"
            if _store(mailbox, raw, result):
                client.dele(number)
    except (OSError, poplib.error_proto) as exc:
        raise MailboxError(f"POP3 error: {exc}") from None
    finally:
        try:
            # QUIT is what applies the DELEs of the messages already stored.
            client.quit()
        except (OSError, poplib.error_proto) as exc:
            result.errors.append(f"POP3 QUIT failed, stored mail may come again: {exc}")
