"""Users, groups, memberships, queues and their watchers, rights and custom fields.

These are configuration: they are created as they were in RT (a restore, not a change
anybody makes now), except rights, which go through `services.grant_right` so that each
grant is validated and recorded like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from lifecycles.models import Lifecycle
from queues.models import Queue
from tracker import services
from tracker.errors import DomainError
from tracker.models import (
    CustomField,
    CustomFieldChoice,
    CustomFieldLookup,
    CustomFieldType,
    Group,
    GroupDomain,
    GroupMember,
    QueueCustomField,
    QueueWatcher,
    User,
)
from tracker.principals import nobody, system_user

if TYPE_CHECKING:
    from rtimport.importer import Importer

# RT's custom field types that have a local equivalent.
CF_TYPES = {
    "Select": CustomFieldType.SELECT,
    "Combobox": CustomFieldType.FREEFORM,
    "Autocomplete": CustomFieldType.FREEFORM,
    "Freeform": CustomFieldType.FREEFORM,
    "Text": CustomFieldType.TEXT,
    "Wikitext": CustomFieldType.TEXT,
    "HTML": CustomFieldType.TEXT,
    "Date": CustomFieldType.DATE,
    "DateTime": CustomFieldType.DATETIME,
    "IPAddress": CustomFieldType.IP_ADDRESS,
    "IPAddressRange": CustomFieldType.IP_RANGE,
}
CF_LOOKUPS = {
    "RT::Queue-RT::Ticket": CustomFieldLookup.TICKET,
    "RT::Queue-RT::Ticket-RT::Transaction": CustomFieldLookup.TRANSACTION,
}
SYSTEM_USERS = {"RT_System", "Nobody"}
SYSTEM_GROUPS = {"Everyone", "Privileged", "Unprivileged"}
ROLE_NAMES = {"Requestor", "Cc", "AdminCc", "Owner"}


def import_users(imp: Importer) -> None:
    privileged = {
        row["memberid"]
        for row in imp.source.rows(
            "SELECT gm.MemberId FROM GroupMembers gm JOIN Groups g ON g.id = gm.GroupId "
            "WHERE g.Domain = 'SystemInternal' AND g.Name = 'Privileged'"
        )
    }
    superusers = {
        row["principalid"]
        for row in imp.source.rows(
            "SELECT g.Instance AS principalid FROM ACL a JOIN Groups g ON g.id = a.PrincipalId "
            "WHERE a.RightName = 'SuperUser' AND a.ObjectType = 'RT::System' "
            "AND g.Domain = 'ACLEquivalence'"
        )
    }
    rows = list(
        imp.source.rows(
            "SELECT u.*, p.Disabled AS disabled FROM Users u "
            "JOIN Principals p ON p.id = u.id ORDER BY u.id"
        )
    )
    bar = imp.progress.track("users", len(rows))
    for row in rows:
        bar.step()
        rt_id, name = row["id"], (row["name"] or "").strip()
        if imp.ids.has("user", rt_id):
            imp.report.exists("user")
            continue
        if name in SYSTEM_USERS:
            local = system_user() if name == "RT_System" else nobody()
            imp.ids.remember("user", rt_id, local.pk)
            imp.report.exists("user")
            continue
        if not name:
            imp.report.skip("user", "no name")
            continue
        email = (row["emailaddress"] or "").strip()[:254]
        existing = User.objects.filter(username=name).first()
        if existing is None and email:
            existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            imp.ids.remember("user", rt_id, existing.pk)
            imp.report.exists("user")
            continue
        user = User(
            username=name[:150],
            email=email,
            real_name=(row["realname"] or "")[:200],
            organization=(row["organization"] or "")[:200],
            language=(row["lang"] or "")[:20],
            time_zone=(row["timezone"] or "")[:64],
            is_privileged=rt_id in privileged,
            is_superuser=rt_id in superusers,
            is_staff=rt_id in superusers,
            is_active=not row["disabled"],
            date_joined=imp.aware(row["created"]) or imp.now,
        )
        # RT's password hashes are not portable: users set a new one (password reset).
        user.set_unusable_password()
        with transaction.atomic():
            user.save()
            imp.ids.remember("user", rt_id, user.pk)
        imp.report.add("user")


def import_groups(imp: Importer) -> None:
    rows = list(
        imp.source.rows(
            "SELECT g.*, p.Disabled AS disabled FROM Groups g "
            "JOIN Principals p ON p.id = g.id WHERE g.Domain = 'UserDefined' ORDER BY g.id"
        )
    )
    for row in rows:
        if imp.ids.has("group", row["id"]):
            imp.report.exists("group")
            continue
        group, created = Group.objects.get_or_create(
            domain=GroupDomain.USER_DEFINED,
            name=row["name"][:200],
            defaults={
                "description": (row["description"] or "")[:255],
                "is_active": not row["disabled"],
            },
        )
        imp.ids.remember("group", row["id"], group.pk)
        if created:
            imp.report.add("group")
        else:
            imp.report.exists("group")
    # System groups (Everyone, Privileged, Unprivileged) map to the local ones.
    for row in imp.source.rows(
        "SELECT id, Name FROM Groups WHERE Domain = 'SystemInternal'"
    ):
        local = Group.objects.filter(
            domain=GroupDomain.SYSTEM, name=row["name"]
        ).first()
        if local is not None:
            imp.ids.remember("group", row["id"], local.pk)


def import_memberships(imp: Importer) -> None:
    rows = imp.source.rows(
        "SELECT gm.id, gm.GroupId, gm.MemberId, p.PrincipalType FROM GroupMembers gm "
        "JOIN Groups g ON g.id = gm.GroupId JOIN Principals p ON p.id = gm.MemberId "
        "WHERE g.Domain = 'UserDefined' ORDER BY gm.id"
    )
    for row in rows:
        group_id = imp.ids.get("group", row["groupid"])
        if group_id is None:
            imp.report.skip("membership", "group not imported")
            continue
        if row["principaltype"] == "User":
            member = {"user_id": imp.ids.get("user", row["memberid"])}
        else:
            member = {"member_group_id": imp.ids.get("group", row["memberid"])}
        if None in member.values():
            imp.report.skip("membership", "member not imported")
            continue
        _, created = GroupMember.objects.get_or_create(group_id=group_id, **member)
        if created:
            imp.report.add("membership")
        else:
            imp.report.exists("membership")


def import_queues(imp: Importer) -> None:
    lifecycles = {lc.name: lc for lc in Lifecycle.objects.all()}
    for row in imp.source.rows("SELECT * FROM Queues ORDER BY id"):
        name = row["name"]
        if imp.ids.has("queue", row["id"]):
            imp.report.exists("queue")
            continue
        if name == "___Approvals":
            imp.report.skip("queue", "RT's internal approvals queue")
            continue
        if imp.queue_names and name.lower() not in imp.queue_names:
            imp.report.skip("queue", "not selected with --queue")
            continue
        existing = Queue.objects.filter(name__iexact=name).first()
        if existing is not None:
            imp.ids.remember("queue", row["id"], existing.pk)
            imp.report.exists("queue")
            continue
        wanted = row.get("lifecycle") or "default"
        lifecycle = lifecycles.get(wanted) or lifecycles["default"]
        if wanted not in lifecycles:
            imp.report.skip("lifecycle", f"'{wanted}' unknown here: queue uses default")
        queue = Queue(
            name=name[:200],
            description=(row["description"] or "")[:255],
            correspond_address=row["correspondaddress"] or "",
            comment_address=row["commentaddress"] or "",
            subject_tag=(row.get("subjecttag") or "")[:120],
            lifecycle=lifecycle,
            sort_order=row.get("sortorder") or 0,
            is_active=not row["disabled"],
        )
        try:
            with transaction.atomic():
                queue.save()
                imp.ids.remember("queue", row["id"], queue.pk)
        except IntegrityError as exc:
            imp.report.skip("queue", f"cannot store: {exc.__class__.__name__}")
            continue
        imp.report.add("queue")


def _role_members(imp: Importer, domain: str) -> list[dict]:
    return list(
        imp.source.rows(
            "SELECT g.Instance, g.Name, gm.MemberId, p.PrincipalType FROM Groups g "
            "JOIN GroupMembers gm ON gm.GroupId = g.id "
            "JOIN Principals p ON p.id = gm.MemberId "
            "WHERE g.Domain = %s ORDER BY gm.id",
            (domain,),
        )
    )


def principal_fields(imp: Importer, principal_id: int, principal_type: str) -> dict:
    """{'user': id} or {'group': id} for an RT principal, {} when not imported."""
    if principal_type == "User":
        local = imp.ids.get("user", principal_id)
        return {"user_id": local} if local else {}
    local = imp.ids.get("group", principal_id)
    return {"group_id": local} if local else {}


def import_queue_watchers(imp: Importer) -> None:
    for row in _role_members(imp, "RT::Queue-Role"):
        if row["name"] not in ("Cc", "AdminCc"):
            continue
        queue_id = imp.ids.get("queue", row["instance"])
        if queue_id is None:
            continue
        principal = principal_fields(imp, row["memberid"], row["principaltype"])
        if not principal:
            imp.report.skip("queue watcher", "principal not imported")
            continue
        _, created = QueueWatcher.objects.get_or_create(
            queue_id=queue_id, role=row["name"], **principal
        )
        if created:
            imp.report.add("queue watcher")
        else:
            imp.report.exists("queue watcher")


def import_rights(imp: Importer) -> None:
    groups = {
        row["id"]: row
        for row in imp.source.rows("SELECT id, Domain, Name, Instance FROM Groups")
    }
    actor = system_user()
    for row in imp.source.rows("SELECT * FROM ACL ORDER BY id"):
        kind = "right"
        if row["objecttype"] == "RT::System":
            queue = None
        elif row["objecttype"] == "RT::Queue":
            queue_id = imp.ids.get("queue", row["objectid"])
            if queue_id is None:
                imp.report.skip(kind, "queue not imported")
                continue
            queue = Queue.objects.get(pk=queue_id)
        else:
            imp.report.skip(kind, f"on {row['objecttype']}: no equivalent")
            continue
        principal: dict = {}
        group = groups.get(row["principalid"])
        if row["principaltype"] in ROLE_NAMES or (
            group and group["domain"].endswith("-Role")
        ):
            role = row["principaltype"] if row["principaltype"] in ROLE_NAMES else ""
            role = role or (group["name"] if group else "")
            if role not in ROLE_NAMES:
                imp.report.skip(kind, f"custom role {role}")
                continue
            principal = {"role": role}
        elif group is None:
            imp.report.skip(kind, "unknown principal")
            continue
        elif group["domain"] == "ACLEquivalence":
            user_id = imp.ids.get("user", group["instance"])
            principal = {"user": User.objects.get(pk=user_id)} if user_id else {}
        else:
            group_id = imp.ids.get("group", group["id"])
            principal = {"group": Group.objects.get(pk=group_id)} if group_id else {}
        if not principal:
            imp.report.skip(kind, "principal not imported")
            continue
        if row["rightname"] == "SuperUser":
            # Carried by User.is_superuser (set with the users).
            imp.report.exists(kind)
            continue
        try:
            ace = services.grant_right(
                right=row["rightname"], actor=actor, queue=queue, **principal
            )
        except DomainError as exc:
            imp.report.skip(kind, str(exc))
            continue
        if imp.ids.has("right", row["id"]):
            imp.report.exists(kind)
        else:
            imp.ids.remember("right", row["id"], ace.pk)
            imp.report.add(kind)


def import_custom_fields(imp: Importer) -> None:
    for row in imp.source.rows("SELECT * FROM CustomFields ORDER BY id"):
        kind = "custom field"
        if imp.ids.has("customfield", row["id"]):
            imp.report.exists(kind)
            continue
        lookup = CF_LOOKUPS.get(row["lookuptype"])
        if lookup is None:
            imp.report.skip(kind, f"applies to {row['lookuptype']}: no equivalent")
            continue
        field_type = CF_TYPES.get(row["type"])
        if field_type is None:
            imp.report.skip(kind, f"type {row['type']}: no equivalent")
            continue
        field, created = CustomField.objects.get_or_create(
            lookup_type=lookup,
            name=row["name"][:200],
            defaults={
                "description": (row["description"] or "")[:255],
                "type": field_type,
                "max_values": row["maxvalues"] or 0,
                "pattern": _pattern(row["pattern"] or ""),
                "sort_order": row["sortorder"] or 0,
                "is_active": not row["disabled"],
            },
        )
        imp.ids.remember("customfield", row["id"], field.pk)
        if created:
            imp.report.add(kind)
        else:
            imp.report.exists(kind)
    for row in imp.source.rows("SELECT * FROM CustomFieldValues ORDER BY id"):
        field_id = imp.ids.get("customfield", row["customfield"])
        if field_id is None:
            continue
        _, created = CustomFieldChoice.objects.get_or_create(
            custom_field_id=field_id,
            name=row["name"][:200],
            defaults={
                "description": (row["description"] or "")[:255],
                "sort_order": row["sortorder"] or 0,
            },
        )
        if created:
            imp.report.add("custom field choice")
        else:
            imp.report.exists("custom field choice")
    for row in imp.source.rows("SELECT * FROM ObjectCustomFields ORDER BY id"):
        field_id = imp.ids.get("customfield", row["customfield"])
        if field_id is None:
            continue
        queue_id = imp.ids.get("queue", row["objectid"]) if row["objectid"] else None
        if row["objectid"] and queue_id is None:
            imp.report.skip("custom field use", "queue not imported")
            continue
        _, created = QueueCustomField.objects.get_or_create(
            custom_field_id=field_id,
            queue_id=queue_id,
            defaults={"sort_order": row["sortorder"] or 0},
        )
        if created:
            imp.report.add("custom field use")
        else:
            imp.report.exists("custom field use")


def _pattern(rt_pattern: str) -> str:
    """RT patterns are Perl regexes, sometimes written as (?#description)regex."""
    if rt_pattern.startswith("(?#") and ")" in rt_pattern:
        return rt_pattern[rt_pattern.index(")") + 1 :][:500]
    return rt_pattern[:500]
