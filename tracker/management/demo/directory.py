"""The demo organisation: queues, teams, customers, rights and custom fields.

Queues, users, groups and custom fields have no creation service (they are
configuration, made in the admin), so they are created as the test factories do;
memberships, grants and queue watchers go through `tracker.services`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecycles.models import Lifecycle
from queues.models import Queue
from tracker import rights, services
from tracker.models import (
    CustomField,
    CustomFieldChoice,
    CustomFieldType,
    Group,
    GroupDomain,
    QueueCustomField,
    Role,
    SystemGroup,
    User,
)
from tracker.principals import system_user

# The queue whose presence means the demo data is loaded.
MARKER_QUEUE = "security"
GENERAL = "General"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    description: str
    lifecycle: str
    correspond: str
    comment: str
    subject_tag: str = ""
    default_due_days: int | None = None
    initial_priority: int = 0
    final_priority: int = 0
    sort_order: int = 0


QUEUES = (
    QueueSpec(
        name="security",
        description="Incident reports and abuse complaints, handled by the CSIRT",
        lifecycle="incident",
        correspond="security@example.org",
        comment="security-comment@example.org",
        subject_tag="CSIRT",
        initial_priority=30,
        final_priority=90,
        sort_order=10,
    ),
    QueueSpec(
        name="accounts",
        description="New accounts, password resets and access changes",
        lifecycle="default",
        correspond="accounts@example.org",
        comment="accounts-comment@example.org",
        sort_order=20,
    ),
    QueueSpec(
        name="connectivity",
        description="Outages, circuits and monitoring alerts, handled by the NOC",
        lifecycle="default",
        correspond="noc@example.org",
        comment="noc-comment@example.org",
        default_due_days=2,
        initial_priority=20,
        final_priority=80,
        sort_order=30,
    ),
)
GENERAL_ADDRESSES = ("general@example.org", "general-comment@example.org")


@dataclass(frozen=True)
class Person:
    username: str
    real_name: str
    email: str
    organization: str = ""


TEAMS: dict[str, tuple[Person, ...]] = {
    "NOC": (
        Person("alice", "Alice Martin", "alice@example.org"),
        Person("bob", "Bob Nowak", "bob@example.org"),
        Person("carol", "Carol Díaz", "carol@example.org"),
    ),
    "CSIRT": (
        Person("dave", "Dave Okafor", "dave@example.org"),
        Person("erin", "Erin Walsh", "erin@example.org"),
        Person("frank", "Frank Lindqvist", "frank@example.org"),
    ),
    "Helpdesk": (
        Person("grace", "Grace Chen", "grace@example.org"),
        Person("heidi", "Heidi Novak", "heidi@example.org"),
    ),
}
TEAM_DESCRIPTIONS = {
    "NOC": "Network operations centre",
    "CSIRT": "Computer security incident response team",
    "Helpdesk": "First-line user support",
}
# Customers are known by their address, as the mail gateway names the users it creates.
CUSTOMERS = (
    Person(
        "anna.schmidt@acme.example",
        "Anna Schmidt",
        "anna.schmidt@acme.example",
        "Acme Logistics",
    ),
    Person("li.wei@acme.example", "Li Wei", "li.wei@acme.example", "Acme Logistics"),
    Person(
        "tom.baker@globex.example", "Tom Baker", "tom.baker@globex.example", "Globex"
    ),
    Person(
        "priya.nair@globex.example", "Priya Nair", "priya.nair@globex.example", "Globex"
    ),
    Person(
        "jonas.berg@initech.example",
        "Jonas Berg",
        "jonas.berg@initech.example",
        "Initech",
    ),
    Person(
        "maria.rossi@initech.example",
        "Maria Rossi",
        "maria.rossi@initech.example",
        "Initech",
    ),
)
# The monitoring system mails its alerts into the NOC's queue.
MONITORING = Person(
    "nagios", "Nagios monitoring", "nagios@monitoring.example.org", "Example NOC"
)

TEAM_QUEUES = {
    "NOC": ("connectivity", GENERAL),
    "Helpdesk": ("accounts", GENERAL),
    "CSIRT": ("security",),
}
STAFF_RIGHTS = (
    rights.SEE_QUEUE,
    rights.SHOW_TICKET,
    rights.CREATE_TICKET,
    rights.REPLY_TO_TICKET,
    rights.COMMENT_ON_TICKET,
    rights.SHOW_TICKET_COMMENTS,
    rights.OWN_TICKET,
    rights.TAKE_TICKET,
    rights.STEAL_TICKET,
    rights.MODIFY_TICKET,
    rights.SHOW_OUTGOING_EMAIL,
    rights.SEE_CUSTOM_FIELD,
    rights.MODIFY_CUSTOM_FIELD,
)
# The rights the incident lifecycle declares for its guarded transitions.
INCIDENT_RIGHTS = ("DeclareIncident", "CloseIncident", "RejectTicket", "ReopenIncident")
LEADS = {"alice": "NOC", "dave": "CSIRT", "grace": "Helpdesk"}
# Incident reports and account requests arrive by mail from anyone.
EVERYONE_QUEUES = ("security", "accounts")
QUEUE_ADMIN_CCS = {"security": "CSIRT", "connectivity": "NOC"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: CustomFieldType
    queue: str | None
    description: str
    max_values: int = 1
    choices: tuple[str, ...] = ()
    pattern: str = ""
    pattern_description: str = ""


CUSTOM_FIELDS = (
    FieldSpec(
        "Severity",
        CustomFieldType.SELECT,
        "security",
        "Impact of the incident",
        choices=("Low", "Medium", "High", "Critical"),
    ),
    FieldSpec(
        "IP",
        CustomFieldType.IP_RANGE,
        "security",
        "Addresses or ranges involved",
        max_values=0,
    ),
    FieldSpec(
        "Classification",
        CustomFieldType.SELECT,
        "security",
        "Kind of incident",
        choices=(
            "Spam",
            "System Compromise",
            "Query",
            "Scan",
            "Denial of Service",
            "Piracy",
        ),
    ),
    FieldSpec("Site", CustomFieldType.FREEFORM, "connectivity", "Location affected"),
    FieldSpec(
        "Circuit ID",
        CustomFieldType.FREEFORM,
        "connectivity",
        "The carrier's circuit reference",
        pattern=r"^[A-Z]{3}-\d{4}$",
        pattern_description="three capital letters, a dash and four digits, e.g. AMS-0421",
    ),
    FieldSpec(
        "Customer reference",
        CustomFieldType.FREEFORM,
        None,
        "The customer's own reference (PO or case number)",
    ),
)


def is_loaded() -> bool:
    return Queue.objects.filter(name__iexact=MARKER_QUEUE).exists()


def build_queues() -> dict[str, Queue]:
    lifecycles = {lc.name: lc for lc in Lifecycle.objects.all()}
    queues = {}
    for spec in QUEUES:
        queues[spec.name] = Queue.objects.create(
            name=spec.name,
            description=spec.description,
            lifecycle=lifecycles[spec.lifecycle],
            correspond_address=spec.correspond,
            comment_address=spec.comment,
            subject_tag=spec.subject_tag,
            default_due_days=spec.default_due_days,
            initial_priority=spec.initial_priority,
            final_priority=spec.final_priority,
            sort_order=spec.sort_order,
        )
    general = Queue.objects.by_name(GENERAL)
    # Only fill in what an admin has not already set on the stock queue.
    if not general.correspond_address and not general.comment_address:
        Queue.objects.filter(pk=general.pk).update(
            correspond_address=GENERAL_ADDRESSES[0],
            comment_address=GENERAL_ADDRESSES[1],
        )
        general.refresh_from_db()
    queues[GENERAL] = general
    return queues


def _make_user(person: Person, *, privileged: bool) -> User:
    # No password: demo users cannot log in until an admin sets one.
    return User.objects.create_user(
        username=person.username,
        email=person.email,
        real_name=person.real_name,
        organization=person.organization,
        is_privileged=privileged,
    )


def build_people() -> tuple[dict[str, User], dict[str, Group]]:
    actor = system_user()
    users: dict[str, User] = {}
    groups: dict[str, Group] = {}
    for team, members in TEAMS.items():
        group = Group.objects.create(
            name=team,
            description=TEAM_DESCRIPTIONS[team],
            domain=GroupDomain.USER_DEFINED,
        )
        groups[team] = group
        for person in members:
            users[person.username] = _make_user(person, privileged=True)
            services.add_group_member(
                group=group, member=users[person.username], actor=actor
            )
    for person in (*CUSTOMERS, MONITORING):
        users[person.username] = _make_user(person, privileged=False)
    return users, groups


def grant_rights(
    queues: dict[str, Queue], users: dict[str, User], groups: dict[str, Group]
) -> None:
    actor = system_user()
    for team, queue_names in TEAM_QUEUES.items():
        team_rights = STAFF_RIGHTS + (INCIDENT_RIGHTS if team == "CSIRT" else ())
        for name in queue_names:
            for right in team_rights:
                services.grant_right(
                    right=right, actor=actor, group=groups[team], queue=queues[name]
                )
    for lead, team in LEADS.items():
        for name in TEAM_QUEUES[team]:
            services.grant_right(
                right=rights.REASSIGN_TICKET,
                actor=actor,
                user=users[lead],
                queue=queues[name],
            )
    everyone = Group.objects.get(domain=GroupDomain.SYSTEM, name=SystemGroup.EVERYONE)
    for name in EVERYONE_QUEUES:
        for right in (rights.CREATE_TICKET, rights.REPLY_TO_TICKET):
            services.grant_right(
                right=right, actor=actor, group=everyone, queue=queues[name]
            )
    for right in (rights.CREATE_TICKET, rights.REPLY_TO_TICKET):
        services.grant_right(
            right=right,
            actor=actor,
            user=users[MONITORING.username],
            queue=queues["connectivity"],
        )
    for name, team in QUEUE_ADMIN_CCS.items():
        services.add_queue_watcher(
            queue=queues[name], role=Role.ADMIN_CC, principal=groups[team], actor=actor
        )


def build_custom_fields(queues: dict[str, Queue]) -> list[CustomField]:
    fields = []
    for order, spec in enumerate(CUSTOM_FIELDS):
        field = CustomField.objects.create(
            name=spec.name,
            description=spec.description,
            type=spec.type,
            max_values=spec.max_values,
            pattern=spec.pattern,
            pattern_description=spec.pattern_description,
            sort_order=order,
        )
        CustomFieldChoice.objects.bulk_create(
            CustomFieldChoice(custom_field=field, name=choice, sort_order=n)
            for n, choice in enumerate(spec.choices)
        )
        QueueCustomField.objects.create(
            custom_field=field, queue=queues[spec.queue] if spec.queue else None
        )
        fields.append(field)
    return fields
