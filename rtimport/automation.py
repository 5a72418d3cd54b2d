"""RT templates and scrips, where they map onto the local ones.

RT templates are Perl (Text::Template); the common placeholders are rewritten to the
local Django template variables and a template with any other Perl is skipped. Scrips
map when their condition and action have local classes of the same name and carry no
user code. Stock scrips and templates already exist locally and are left alone.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from rtimport.importer import Importer

PLACEHOLDERS = {
    r"\$Ticket->id\(?\)?": "{{ ticket.id }}",
    r"\$Ticket->Subject\(?\)?": "{{ ticket.subject }}",
    r"\$Ticket->Status\(?\)?": "{{ ticket.status }}",
    r"\$Ticket->Priority\(?\)?": "{{ ticket.priority }}",
    r"\$Ticket->QueueObj->Name\(?\)?": "{{ queue.name }}",
    r"\$Ticket->OwnerObj->Name\(?\)?": "{{ ticket.owner.name }}",
    r"\$Transaction->Content\(?\)?": "{{ transaction.content }}",
    r"\$Transaction->CreatorObj->Name\(?\)?": "{{ transaction.creator.name }}",
    r"RT->Config->Get\(['\"]WebURL['\"]\)": "{{ web_url }}",
    r"\$RT::WebURL": "{{ web_url }}",
    r"\$rtname": "{{ rtname }}",
}
BLOCK = re.compile(r"\{([^{}]*)\}")


def convert_template(content: str) -> str | None:
    """The template in local syntax, or None when it holds Perl that does not map."""

    def one(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        for pattern, replacement in PLACEHOLDERS.items():
            if re.fullmatch(pattern, inner):
                return replacement
        raise ValueError(inner)

    try:
        return BLOCK.sub(one, content)
    except ValueError:
        return None


def import_templates(imp: Importer) -> None:
    if not apps.is_installed("scrips"):
        return
    template_model = apps.get_model("scrips", "Template")
    for row in imp.source.rows("SELECT * FROM Templates ORDER BY id"):
        kind = "template"
        if imp.ids.has(kind, row["id"]):
            imp.report.exists(kind)
            continue
        queue_id = imp.ids.get("queue", row["queue"]) if row["queue"] else None
        if row["queue"] and queue_id is None:
            imp.report.skip(kind, "queue not imported")
            continue
        existing = template_model.objects.filter(
            queue_id=queue_id, name=row["name"]
        ).first()
        if existing is not None:
            imp.ids.remember(kind, row["id"], existing.pk)
            imp.report.exists(kind)
            continue
        # A Perl template may run any code: it is converted only if all it does is
        # interpolate known values.
        content = convert_template(row["content"] or "")
        if content is None:
            imp.report.skip(kind, "Perl code with no local equivalent")
            continue
        template = template_model.objects.create(
            queue_id=queue_id,
            name=row["name"][:200],
            description=(row["description"] or "")[:255],
            content=content,
        )
        imp.ids.remember(kind, row["id"], template.pk)
        imp.report.add(kind)


def import_scrips(imp: Importer) -> None:
    if not apps.is_installed("scrips"):
        return
    scrip_model = apps.get_model("scrips", "Scrip")
    applies_model = apps.get_model("scrips", "ScripQueue")
    conditions = importlib.import_module("scrips.conditions").CONDITIONS
    actions = importlib.import_module("scrips.actions").ACTIONS
    names = {
        (table, row["id"]): row["name"]
        for table in ("ScripConditions", "ScripActions")
        for row in imp.source.rows(f"SELECT id, Name FROM {table}")  # noqa: S608 - fixed names
    }
    for row in imp.source.rows("SELECT * FROM Scrips ORDER BY id"):
        kind = "scrip"
        if imp.ids.has(kind, row["id"]):
            imp.report.exists(kind)
            continue
        condition = names.get(("ScripConditions", row["scripcondition"]), "")
        action = names.get(("ScripActions", row["scripaction"]), "")
        if any(
            row.get(c)
            for c in ("customisapplicablecode", "custompreparecode", "customcommitcode")
        ):
            imp.report.skip(kind, "user code")
            continue
        if condition not in conditions:
            imp.report.skip(kind, f"condition '{condition}' has no equivalent")
            continue
        if action not in actions:
            imp.report.skip(kind, f"action '{action}' has no equivalent")
            continue
        existing = scrip_model.objects.filter(description=row["description"]).first()
        if existing is not None:
            imp.ids.remember(kind, row["id"], existing.pk)
            imp.report.exists(kind)
            continue
        scrip = scrip_model.objects.create(
            description=(row["description"] or "")[:255],
            condition=condition,
            action=action,
            template=(row["template"] or "Blank")[:200],
            is_active=not row["disabled"],
        )
        for use in imp.source.rows(
            "SELECT * FROM ObjectScrips WHERE Scrip = %s ORDER BY id", (row["id"],)
        ):
            queue_id = (
                imp.ids.get("queue", use["objectid"]) if use["objectid"] else None
            )
            if use["objectid"] and queue_id is None:
                continue
            applies_model.objects.get_or_create(
                scrip=scrip,
                queue_id=queue_id,
                stage=use["stage"] or "TransactionCreate",
                defaults={"sort_order": use["sortorder"] or 0},
            )
        imp.ids.remember(kind, row["id"], scrip.pk)
        imp.report.add(kind)
