"""Storing messages as Attachment trees (one row per MIME part)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage, Message

import nh3
from django.conf import settings
from django.core.files.base import ContentFile

from tracker.errors import ValidationFailed
from tracker.models import Attachment, SearchDocument, Transaction, User


@dataclass(frozen=True)
class Upload:
    """A file attached to a message typed in the web UI or sent through the API."""

    filename: str
    content_type: str
    content: bytes


def check_upload_sizes(uploads: Sequence[Upload]) -> None:
    limit = settings.TRACKER_MAX_ATTACHMENT_SIZE
    for upload in uploads:
        if len(upload.content) > limit:
            raise ValidationFailed(
                f"Attachment '{upload.filename}' is {len(upload.content)} bytes; "
                f"the limit is {limit} bytes."
            )


def store_message(
    *,
    txn: Transaction,
    actor: User,
    subject: str,
    body: str,
    content_type: str = "text/plain",
    uploads: Sequence[Upload] = (),
    message_id: str = "",
    headers: str = "",
) -> Attachment | None:
    """Store a typed message: one text part, or multipart/mixed with the files."""
    if not body and not uploads:
        return None
    common = {"transaction": txn, "creator": actor, "created": txn.created}
    if not uploads:
        return _index_text(
            Attachment.objects.create(
                **common,
                message_id=message_id,
                subject=subject[:255],
                headers=headers,
                content_type=content_type,
                content=body,
                size=len(body.encode()),
            )
        )
    root = Attachment.objects.create(
        **common,
        message_id=message_id,
        subject=subject[:255],
        headers=headers,
        content_type="multipart/mixed",
    )
    if body:
        _index_text(
            Attachment.objects.create(
                **common,
                parent=root,
                content_type=content_type,
                content=body,
                size=len(body.encode()),
            )
        )
    for upload in uploads:
        _store_file(
            common, root, upload.filename, upload.content_type, upload.content, ""
        )
    return root


def store_mime(*, txn: Transaction, actor: User, message: Message) -> Attachment:
    """Store a parsed MIME message as a tree of Attachment rows, root first."""
    common = {"transaction": txn, "creator": actor, "created": txn.created}
    return _store_part(common, None, message, top=True)


def _store_part(
    common: dict, parent: Attachment | None, part: Message, *, top: bool
) -> Attachment:
    headers = "".join(f"{name}: {value}\n" for name, value in part.items())
    content_type = part.get_content_type()
    filename = part.get_filename() or ""
    extra = {
        "message_id": (part.get("Message-ID") or "").strip()[:255] if top else "",
        "subject": str(part.get("Subject") or "")[:255] if top else "",
    }
    if part.is_multipart():
        node = Attachment.objects.create(
            **common, parent=parent, content_type=content_type, headers=headers, **extra
        )
        for child in (
            part.iter_parts() if isinstance(part, EmailMessage) else part.get_payload()
        ):
            _store_part(common, node, child, top=False)
        return node
    payload = part.get_payload(decode=True) or b""
    if content_type.startswith("text/") and not filename:
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("utf-8", errors="replace")
        return _index_text(
            Attachment.objects.create(
                **common,
                parent=parent,
                content_type=content_type,
                headers=headers,
                content=text,
                size=len(payload),
                **extra,
            )
        )
    return _store_file(
        common, parent, filename, content_type, payload, headers, **extra
    )


def searchable_text(content_type: str, content: str) -> str:
    """The words of a text part: HTML loses its tags, scripts and styles."""
    if content_type == "text/html":
        return html.unescape(nh3.clean(content, tags=set()))
    return content


def _index_text(attachment: Attachment) -> Attachment:
    """Store the part's search document in the caller's database transaction, so a
    message is searchable exactly when it is committed."""
    txn = attachment.transaction
    if txn.ticket_id is not None and attachment.content:
        SearchDocument.objects.create(
            attachment=attachment,
            ticket_id=txn.ticket_id,
            transaction_type=txn.type,
            content=searchable_text(attachment.content_type, attachment.content),
        )
    return attachment


def _store_file(
    common: dict,
    parent: Attachment | None,
    filename: str,
    content_type: str,
    content: bytes,
    headers: str,
    **extra: str,
) -> Attachment:
    attachment = Attachment(
        **common,
        parent=parent,
        filename=filename[:255],
        content_type=content_type,
        headers=headers,
        size=len(content),
        **extra,
    )
    # The file lands in storage before the row commits; a rollback leaves an orphan file
    # but never a row without its file.
    attachment.file.save(filename or "part.bin", ContentFile(content), save=False)
    attachment.save()
    return attachment
