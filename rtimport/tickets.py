"""Tickets with their original numbers, watchers, history, attachments and custom field
values; then links and merges.

History is restored as it was, with RT's dates and authors, so it is written directly
rather than through `record_transaction`: that function stamps the current time and
announces each transaction to the scrips, which would mail every requestor about
years-old replies. For the same reason each imported ticket's scrip cursor is set past
its last imported transaction.
"""

from __future__ import annotations

import base64
import quopri
import re
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction

from rtimport.config import principal_fields
from tracker.models import (
    Attachment,
    CustomField,
    CustomFieldValue,
    Link,
    LinkType,
    SearchDocument,
    Ticket,
    TicketType,
    TicketWatcher,
    Transaction,
)
from tracker.services.attachments import searchable_text

if TYPE_CHECKING:
    from rtimport.importer import Importer

# Transaction fields whose old/new values are RT ids to translate.
ID_FIELDS = {"Owner": "user", "Queue": "queue"}
WATCHER_TYPES = {"AddWatcher", "DelWatcher", "SetWatcher"}
OWNER_TYPES = {"Give", "Take", "Steal", "Untake", "Force"}
LINK_TYPES = {t.value for t in LinkType}
TICKET_URI = re.compile(r"^fsck\.com-rt://[^/]+/ticket/(\d+)$")


def decode_content(content: Any, encoding: str | None) -> bytes:
    """The exact bytes RT stored, whatever its ContentEncoding."""
    if content is None:
        return b""
    raw = bytes(content) if isinstance(content, (bytes, memoryview)) else None
    text = content if isinstance(content, str) else None
    encoding = (encoding or "none").lower()
    if encoding == "base64":
        return base64.b64decode(raw if raw is not None else text.encode("ascii"))
    if encoding == "quoted-printable":
        return quopri.decodestring(raw if raw is not None else text.encode("utf-8"))
    if raw is not None:
        return raw
    return text.encode("utf-8")


def _charset(content_type: str, headers: str) -> str:
    found = re.search(r'charset="?([\w.:-]+)', headers or "", re.IGNORECASE)
    return found.group(1) if found else "utf-8"


def ticket_rows(imp: Importer) -> list[dict]:
    rows = imp.source.rows("SELECT * FROM Tickets ORDER BY id")
    return [r for r in rows if imp.ids.get("queue", r["queue"]) is not None]


def import_tickets(imp: Importer) -> None:
    rows = ticket_rows(imp)
    queue_ids = {row["id"] for row in rows}
    skipped_queue = imp.source.rows("SELECT COUNT(*) AS n FROM Tickets")
    total = next(iter(skipped_queue))["n"]
    if total > len(rows):
        imp.report.skip("ticket", "queue not imported", n=total - len(rows))
    bar = imp.progress.track("tickets", len(rows))
    for row in rows:
        bar.step()
        if imp.ids.has("ticket", row["id"]):
            imp.report.exists("ticket")
            continue
        if Ticket.objects.filter(pk=row["id"]).exists():
            imp.report.skip("ticket", "its number is taken by a local ticket")
            continue
        try:
            with transaction.atomic():
                _import_ticket(imp, row, queue_ids)
        except Exception as exc:  # noqa: BLE001 - reported per ticket, import goes on
            # One broken ticket must not stop the import; it is reported and retried
            # by the next run (nothing of it was kept).
            imp.ids.reload()
            imp.report.skip("ticket", f"failed: {exc.__class__.__name__}: {exc}"[:200])
            continue
        imp.report.add("ticket")


def _user(imp: Importer, rt_id: int | None) -> int:
    return imp.ids.get("user", rt_id) or imp.system_user_id


def _import_ticket(imp: Importer, row: dict, queue_ticket_ids: set[int]) -> None:
    ticket_type = row["type"] if row["type"] in TicketType.values else TicketType.TICKET
    if row["type"] not in TicketType.values:
        imp.report.skip("ticket type", f"{row['type']} imported as ticket")
    ticket = Ticket(
        pk=row["id"],
        type=ticket_type,
        queue_id=imp.ids.get("queue", row["queue"]),
        subject=(row["subject"] or "")[:200],
        status=row["status"],
        owner_id=imp.ids.get("user", row["owner"]) or imp.nobody_id,
        priority=row["priority"] or 0,
        initial_priority=row["initialpriority"] or 0,
        final_priority=row["finalpriority"] or 0,
        time_estimated=row["timeestimated"] or 0,
        time_worked=row["timeworked"] or 0,
        time_left=row["timeleft"] or 0,
        starts=imp.aware(row["starts"]),
        started=imp.aware(row["started"]),
        due=imp.aware(row["due"]),
        resolved=imp.aware(row["resolved"]),
        told=imp.aware(row["told"]),
        created=imp.aware(row["created"]) or imp.now,
        creator_id=_user(imp, row["creator"]),
        last_updated=imp.aware(row["lastupdated"]) or imp.now,
        last_updated_by_id=_user(imp, row["lastupdatedby"]),
    )
    ticket.save(force_insert=True)
    imp.ids.remember("ticket", row["id"], ticket.pk)
    _import_watchers(imp, ticket)
    last_txn = _import_history(imp, ticket)
    _import_cf_values(imp, ticket)
    cursor_model = (
        apps.get_model("scrips", "TicketScripCursor")
        if apps.is_installed("scrips")
        else None
    )
    if cursor_model is not None and last_txn:
        cursor_model.objects.update_or_create(
            ticket=ticket, defaults={"last_transaction_id": last_txn}
        )


def _import_watchers(imp: Importer, ticket: Ticket) -> None:
    rows = imp.source.rows(
        "SELECT g.Name, gm.MemberId, p.PrincipalType FROM Groups g "
        "JOIN GroupMembers gm ON gm.GroupId = g.id JOIN Principals p ON p.id = gm.MemberId "
        "WHERE g.Domain = 'RT::Ticket-Role' AND g.Instance = %s ORDER BY gm.id",
        (ticket.pk,),
    )
    for row in rows:
        if row["name"] not in ("Requestor", "Cc", "AdminCc"):
            continue  # Owner is the ticket's owner column; custom roles have no twin
        principal = principal_fields(imp, row["memberid"], row["principaltype"])
        if not principal:
            imp.report.skip("ticket watcher", "principal not imported")
            continue
        TicketWatcher.objects.get_or_create(
            ticket=ticket, role=row["name"], **principal
        )
        imp.report.add("ticket watcher")


def _translate(imp: Importer, row: dict) -> tuple[str, str]:
    """Old and new values, with RT ids replaced by local ones where they are ids."""
    old, new = row["oldvalue"] or "", row["newvalue"] or ""
    kind = ID_FIELDS.get(row["field"] or "")
    if row["type"] in WATCHER_TYPES or row["type"] in OWNER_TYPES:
        kind = "user"
    if kind:
        old = _local_id(imp, kind, old)
        new = _local_id(imp, kind, new)
    if row["type"] in ("AddLink", "DeleteLink"):
        old, new = _link_value(old), _link_value(new)
    return old, new


def _local_id(imp: Importer, kind: str, value: str) -> str:
    if not value.isdigit():
        return value
    local = imp.ids.get(kind, int(value)) or (
        imp.ids.get("group", int(value)) if kind == "user" else None
    )
    return str(local) if local else value


def _link_value(value: str) -> str:
    found = TICKET_URI.match(value)
    return found.group(1) if found else value


def _import_history(imp: Importer, ticket: Ticket) -> int:
    rows = list(
        imp.source.rows(
            "SELECT * FROM Transactions WHERE ObjectType = 'RT::Ticket' "
            "AND ObjectId = %s ORDER BY id",
            (ticket.pk,),
        )
    )
    last = 0
    for row in rows:
        old, new = _translate(imp, row)
        field = row["field"] or ""
        if row["type"] == "CustomField" and field.isdigit():
            field = str(imp.ids.get("customfield", int(field)) or field)
        data: dict[str, Any] = {"rt_id": row["id"]}
        if row["type"] in OWNER_TYPES:
            data["verb"] = row["type"]
        if row.get("data"):
            data["rt_data"] = row["data"]
        txn = Transaction(
            ticket=ticket,
            object_id=ticket.pk,
            type=row["type"] if row["type"] not in OWNER_TYPES else "Set",
            field=("Owner" if row["type"] in OWNER_TYPES else field)[:64],
            old_value=old,
            new_value=new,
            old_reference=row.get("oldreference"),
            new_reference=row.get("newreference"),
            data=data,
            time_taken=row["timetaken"] or 0,
            creator_id=_user(imp, row["creator"]),
            created=imp.aware(row["created"]) or imp.now,
        )
        txn.save(force_insert=True)
        imp.ids.remember("transaction", row["id"], txn.pk)
        imp.report.add("transaction")
        _import_attachments(imp, txn, row["id"])
        last = txn.pk
    return last


def _import_attachments(imp: Importer, txn: Transaction, rt_txn_id: int) -> None:
    rows = imp.source.rows(
        "SELECT * FROM Attachments WHERE TransactionId = %s ORDER BY id", (rt_txn_id,)
    )
    for row in rows:
        payload = decode_content(row["content"], row["contentencoding"])
        content_type = (row["contenttype"] or "text/plain")[:255]
        filename = (row["filename"] or "")[:255]
        headers = row["headers"] or ""
        fields = {
            "transaction": txn,
            "parent_id": imp.ids.get("attachment", row["parent"])
            if row["parent"]
            else None,
            "message_id": (row["messageid"] or "")[:255],
            "subject": (row["subject"] or "")[:255],
            "filename": filename,
            "content_type": content_type,
            "headers": headers,
            "size": len(payload),
            "creator_id": _user(imp, row["creator"]),
            "created": imp.aware(row["created"]) or txn.created,
        }
        if content_type.startswith("multipart/"):
            attachment = Attachment.objects.create(**fields)
        elif content_type.startswith("text/") and not filename:
            text = payload.decode(_charset(content_type, headers), errors="replace")
            attachment = Attachment.objects.create(**fields, content=text)
            if text:
                SearchDocument.objects.create(
                    attachment=attachment,
                    ticket_id=txn.ticket_id,
                    transaction_type=txn.type,
                    content=searchable_text(content_type, text),
                )
        else:
            attachment = Attachment(**fields)
            attachment.file.save(
                filename or "part.bin", ContentFile(payload), save=False
            )
            attachment.save()
        imp.ids.remember("attachment", row["id"], attachment.pk)
        imp.report.add("attachment")


def _import_cf_values(imp: Importer, ticket: Ticket) -> None:
    rows = imp.source.rows(
        "SELECT * FROM ObjectCustomFieldValues WHERE ObjectType = 'RT::Ticket' "
        "AND ObjectId = %s AND Disabled = 0 ORDER BY id",
        (ticket.pk,),
    )
    for row in rows:
        field_id = imp.ids.get("customfield", row["customfield"])
        if field_id is None:
            imp.report.skip("custom field value", "field not imported")
            continue
        content = row["largecontent"] or row["content"] or ""
        if row["largecontent"]:
            content = decode_content(
                row["largecontent"], row["contentencoding"]
            ).decode("utf-8", errors="replace")
        field = CustomField.objects.get(pk=field_id)
        CustomFieldValue.objects.create(
            custom_field=field,
            ticket=ticket,
            content=content,
            sort_key=imp.sort_key(field, content),
            creator_id=_user(imp, row["creator"]),
            created=imp.aware(row["created"]) or imp.now,
        )
        imp.report.add("custom field value")


def import_links(imp: Importer) -> None:
    rows = imp.source.rows("SELECT * FROM Links ORDER BY id")
    for row in rows:
        kind = "link"
        if imp.ids.has("link", row["id"]):
            imp.report.exists(kind)
            continue
        if row["type"] not in LINK_TYPES:
            imp.report.skip(kind, f"type {row['type']}: no equivalent")
            continue
        base = imp.ids.get("ticket", row["localbase"]) if row["localbase"] else None
        if base is None:
            imp.report.skip(kind, "base is not an imported ticket")
            continue
        target = (
            imp.ids.get("ticket", row["localtarget"]) if row["localtarget"] else None
        )
        if row["localtarget"] and target is None:
            imp.report.skip(kind, "target ticket not imported")
            continue
        link, _ = Link.objects.get_or_create(
            type=row["type"],
            base_id=base,
            target_id=target,
            target_uri="" if target else (row["target"] or "")[:500],
            defaults={
                "creator_id": _user(imp, row["creator"]),
                "created": imp.aware(row["created"]) or imp.now,
            },
        )
        imp.ids.remember("link", row["id"], link.pk)
        imp.report.add(kind)


def import_merges(imp: Importer) -> None:
    """Tickets whose EffectiveId is another ticket were merged into it."""
    rows = imp.source.rows(
        "SELECT id, EffectiveId FROM Tickets WHERE EffectiveId <> id ORDER BY id"
    )
    for row in rows:
        ticket_id = imp.ids.get("ticket", row["id"])
        survivor_id = imp.ids.get("ticket", row["effectiveid"])
        if ticket_id is None:
            continue
        if survivor_id is None:
            imp.report.skip("merge", "surviving ticket not imported")
            continue
        changed = Ticket.objects.filter(pk=ticket_id, merged_into__isnull=True).update(
            merged_into_id=survivor_id
        )
        if changed:
            # Content searches find a merged ticket's messages under the survivor.
            SearchDocument.objects.filter(ticket_id=ticket_id).update(
                ticket_id=survivor_id
            )
            imp.report.add("merge")
        else:
            imp.report.exists("merge")
