"""The one place that answers "may P do R on O" and "which tickets may P see".

Rights are data: each is a name with a category and a scope (queue-level rights can be
granted on one queue or globally; system rights only globally). Lifecycles may declare
more queue-level rights (e.g. DeclareIncident), which are registered from the database.

Grants are purely additive (no deny). SuperUser implies every right; disabled users have
none; the RT_System user bypasses checks. Per-user grants are loaded once and cached on
the user object, so one request costs a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

if TYPE_CHECKING:
    from queues.models import Queue
    from tracker.models import Ticket, User

# Queue-level rights (grantable on a queue or globally).
SEE_QUEUE = "SeeQueue"
SHOW_TICKET = "ShowTicket"
CREATE_TICKET = "CreateTicket"
REPLY_TO_TICKET = "ReplyToTicket"
COMMENT_ON_TICKET = "CommentOnTicket"
WATCH = "Watch"
SEE_CUSTOM_FIELD = "SeeCustomField"
SHOW_TICKET_COMMENTS = "ShowTicketComments"
SHOW_OUTGOING_EMAIL = "ShowOutgoingEmail"
OWN_TICKET = "OwnTicket"
TAKE_TICKET = "TakeTicket"
STEAL_TICKET = "StealTicket"
REASSIGN_TICKET = "ReassignTicket"
MODIFY_TICKET = "ModifyTicket"
DELETE_TICKET = "DeleteTicket"
WATCH_AS_ADMIN_CC = "WatchAsAdminCc"
MODIFY_CUSTOM_FIELD = "ModifyCustomField"
SET_INITIAL_CUSTOM_FIELD = "SetInitialCustomField"
FORWARD_MESSAGE = "ForwardMessage"
ADMIN_QUEUE = "AdminQueue"
SHOW_ACL = "ShowACL"
MODIFY_ACL = "ModifyACL"
MODIFY_QUEUE_WATCHERS = "ModifyQueueWatchers"
ASSIGN_CUSTOM_FIELDS = "AssignCustomFields"
SHOW_TEMPLATE = "ShowTemplate"
MODIFY_TEMPLATE = "ModifyTemplate"
SHOW_SCRIPS = "ShowScrips"
MODIFY_SCRIPS = "ModifyScrips"

# System rights (global only).
SUPER_USER = "SuperUser"
ADMIN_USERS = "AdminUsers"
ADMIN_GROUPS = "AdminGroups"
ADMIN_CUSTOM_FIELDS = "AdminCustomField"
MODIFY_SELF = "ModifySelf"
SHOW_USER_HISTORY = "ShowUserHistory"
SHOW_CONFIG_TAB = "ShowConfigTab"
SHOW_GLOBAL_TEMPLATES = "ShowGlobalTemplates"
LOAD_SAVED_SEARCH = "LoadSavedSearch"
CREATE_SAVED_SEARCH = "CreateSavedSearch"
SEE_SELF_SERVICE_GROUP_TICKET = "SeeSelfServiceGroupTicket"
SHOW_SEARCH_ADVANCED = "ShowSearchAdvanced"
SHOW_SEARCH_BULK_UPDATE = "ShowSearchBulkUpdate"
MANAGE_AUTH_TOKENS = "ManageAuthTokens"
SUBSCRIBE_DASHBOARD = "SubscribeDashboard"
SEE_DASHBOARD = "SeeDashboard"
CREATE_DASHBOARD = "CreateDashboard"
MODIFY_DASHBOARD = "ModifyDashboard"
DELETE_DASHBOARD = "DeleteDashboard"
SEE_OWN_DASHBOARD = "SeeOwnDashboard"
CREATE_OWN_DASHBOARD = "CreateOwnDashboard"
MODIFY_OWN_DASHBOARD = "ModifyOwnDashboard"
DELETE_OWN_DASHBOARD = "DeleteOwnDashboard"


class Scope:
    QUEUE = "queue"
    SYSTEM = "system"


@dataclass(frozen=True)
class RightInfo:
    name: str
    category: str
    scope: str
    description: str


_CATALOGUE: tuple[RightInfo, ...] = (
    RightInfo(SEE_QUEUE, "General", Scope.QUEUE, "See the queue in lists and menus"),
    RightInfo(
        SHOW_TICKET, "General", Scope.QUEUE, "See tickets and their correspondence"
    ),
    RightInfo(
        CREATE_TICKET, "General", Scope.QUEUE, "Create tickets (and move tickets in)"
    ),
    RightInfo(REPLY_TO_TICKET, "General", Scope.QUEUE, "Reply to tickets"),
    RightInfo(COMMENT_ON_TICKET, "General", Scope.QUEUE, "Comment on tickets"),
    RightInfo(WATCH, "General", Scope.QUEUE, "Add oneself as Requestor or Cc"),
    RightInfo(SEE_CUSTOM_FIELD, "General", Scope.QUEUE, "See custom field values"),
    RightInfo(SHOW_TICKET_COMMENTS, "Staff", Scope.QUEUE, "See private comments"),
    RightInfo(
        SHOW_OUTGOING_EMAIL,
        "Staff",
        Scope.QUEUE,
        "See outgoing mail and its recipients",
    ),
    RightInfo(OWN_TICKET, "Staff", Scope.QUEUE, "Be the owner of tickets"),
    RightInfo(TAKE_TICKET, "Staff", Scope.QUEUE, "Take unowned tickets"),
    RightInfo(STEAL_TICKET, "Staff", Scope.QUEUE, "Take tickets owned by someone else"),
    RightInfo(
        REASSIGN_TICKET, "Staff", Scope.QUEUE, "Give tickets to anyone who may own them"
    ),
    RightInfo(
        MODIFY_TICKET, "Staff", Scope.QUEUE, "Change fields, status, links, watchers"
    ),
    RightInfo(DELETE_TICKET, "Staff", Scope.QUEUE, "Delete tickets"),
    RightInfo(WATCH_AS_ADMIN_CC, "Staff", Scope.QUEUE, "Add oneself as AdminCc"),
    RightInfo(MODIFY_CUSTOM_FIELD, "Staff", Scope.QUEUE, "Change custom field values"),
    RightInfo(
        SET_INITIAL_CUSTOM_FIELD,
        "Staff",
        Scope.QUEUE,
        "Set custom field values at creation",
    ),
    RightInfo(FORWARD_MESSAGE, "Staff", Scope.QUEUE, "Forward tickets and messages"),
    RightInfo(
        ADMIN_QUEUE, "Admin", Scope.QUEUE, "Create, change and disable the queue"
    ),
    RightInfo(SHOW_ACL, "Admin", Scope.QUEUE, "See the queue's rights"),
    RightInfo(MODIFY_ACL, "Admin", Scope.QUEUE, "Change the queue's rights"),
    RightInfo(
        MODIFY_QUEUE_WATCHERS, "Admin", Scope.QUEUE, "Change the queue's Cc and AdminCc"
    ),
    RightInfo(
        ASSIGN_CUSTOM_FIELDS, "Admin", Scope.QUEUE, "Apply custom fields to the queue"
    ),
    RightInfo(SHOW_TEMPLATE, "Admin", Scope.QUEUE, "See templates"),
    RightInfo(MODIFY_TEMPLATE, "Admin", Scope.QUEUE, "Change templates"),
    RightInfo(SHOW_SCRIPS, "Admin", Scope.QUEUE, "See scrips"),
    RightInfo(MODIFY_SCRIPS, "Admin", Scope.QUEUE, "Change scrips"),
    RightInfo(SUPER_USER, "Admin", Scope.SYSTEM, "Every right everywhere"),
    RightInfo(ADMIN_USERS, "Admin", Scope.SYSTEM, "Create and change users"),
    RightInfo(ADMIN_GROUPS, "Admin", Scope.SYSTEM, "Create and change groups"),
    RightInfo(
        ADMIN_CUSTOM_FIELDS, "Admin", Scope.SYSTEM, "Create and change custom fields"
    ),
    RightInfo(MODIFY_SELF, "General", Scope.SYSTEM, "Change one's own preferences"),
    RightInfo(SHOW_USER_HISTORY, "Staff", Scope.SYSTEM, "See users' history"),
    RightInfo(SHOW_CONFIG_TAB, "Admin", Scope.SYSTEM, "See the admin menu"),
    RightInfo(SHOW_GLOBAL_TEMPLATES, "Admin", Scope.SYSTEM, "See global templates"),
    RightInfo(LOAD_SAVED_SEARCH, "General", Scope.SYSTEM, "Load saved searches"),
    RightInfo(CREATE_SAVED_SEARCH, "General", Scope.SYSTEM, "Save searches"),
    RightInfo(
        SEE_SELF_SERVICE_GROUP_TICKET,
        "General",
        Scope.SYSTEM,
        "Self-service users see tickets of fellow group members",
    ),
    RightInfo(SHOW_SEARCH_ADVANCED, "Staff", Scope.SYSTEM, "Use the TicketSQL editor"),
    RightInfo(
        SHOW_SEARCH_BULK_UPDATE, "Staff", Scope.SYSTEM, "Update search results in bulk"
    ),
    RightInfo(MANAGE_AUTH_TOKENS, "General", Scope.SYSTEM, "Manage one's API tokens"),
    RightInfo(
        SUBSCRIBE_DASHBOARD, "General", Scope.SYSTEM, "Subscribe to dashboards by mail"
    ),
    RightInfo(SEE_DASHBOARD, "General", Scope.SYSTEM, "See system dashboards"),
    RightInfo(CREATE_DASHBOARD, "Admin", Scope.SYSTEM, "Create system dashboards"),
    RightInfo(MODIFY_DASHBOARD, "Admin", Scope.SYSTEM, "Change system dashboards"),
    RightInfo(DELETE_DASHBOARD, "Admin", Scope.SYSTEM, "Delete system dashboards"),
    RightInfo(SEE_OWN_DASHBOARD, "General", Scope.SYSTEM, "See one's own dashboards"),
    RightInfo(
        CREATE_OWN_DASHBOARD, "General", Scope.SYSTEM, "Create one's own dashboards"
    ),
    RightInfo(
        MODIFY_OWN_DASHBOARD, "General", Scope.SYSTEM, "Change one's own dashboards"
    ),
    RightInfo(
        DELETE_OWN_DASHBOARD, "General", Scope.SYSTEM, "Delete one's own dashboards"
    ),
)

CORE_RIGHTS: dict[str, RightInfo] = {info.name: info for info in _CATALOGUE}


def all_rights() -> dict[str, RightInfo]:
    """Core rights plus the queue-level rights that lifecycles declare."""
    from lifecycles import registry

    rights = dict(CORE_RIGHTS)
    for name in sorted(registry.all_declared_rights()):
        rights.setdefault(
            name, RightInfo(name, "Status", Scope.QUEUE, "Lifecycle transition")
        )
    return rights


def is_known_right(name: str) -> bool:
    return name in CORE_RIGHTS or name in all_rights()


# --- Loading a user's grants -------------------------------------------------------------


GLOBAL = None  # the queue key of a global grant


@dataclass
class Grants:
    """Everything one user was granted, keyed by queue id (None = global)."""

    direct: dict[int | None, set[str]] = field(default_factory=dict)
    by_role: dict[str, dict[int | None, set[str]]] = field(default_factory=dict)
    group_ids: frozenset[int] = frozenset()
    roles_on_ticket: dict[int, frozenset[str]] = field(default_factory=dict)
    roles_on_queue: dict[int, frozenset[str]] = field(default_factory=dict)
    generation: int = 0

    def has_direct(self, right: str, queue_id: int | None) -> bool:
        for key in (GLOBAL, queue_id):
            granted = self.direct.get(key, ())
            if right in granted or SUPER_USER in self.direct.get(GLOBAL, ()):
                return True
        return False

    def roles_granting(self, right: str, queue_id: int | None) -> set[str]:
        """Roles whose holders get `right` in that queue."""
        return {
            role
            for role, per_queue in self.by_role.items()
            if right in per_queue.get(GLOBAL, ())
            or right in per_queue.get(queue_id, ())
        }


_CACHE_ATTR = "_tracker_grants"

# Bumped by every history write (grants, memberships, watchers and owners all write one),
# so grants cached on a user object never outlive a change made in the same process.
_generation = 0


def invalidate_cached_grants() -> None:
    global _generation  # a process-wide counter is the point
    _generation += 1


def user_group_ids(user: User) -> frozenset[int]:
    """Ids of every group the user is in: system groups and user-defined ones, nested."""
    from tracker.models import Group, GroupDomain, GroupMember, SystemGroup

    system_names = [SystemGroup.EVERYONE]
    system_names.append(
        SystemGroup.PRIVILEGED if user.is_privileged else SystemGroup.UNPRIVILEGED
    )
    ids = set(
        Group.objects.filter(
            domain=GroupDomain.SYSTEM, name__in=system_names
        ).values_list("pk", flat=True)
    )
    frontier = set(
        GroupMember.objects.filter(user=user, group__is_active=True).values_list(
            "group_id", flat=True
        )
    )
    # Walk up nested groups; depth is small and a visited set guards against cycles.
    while frontier:
        ids |= frontier
        frontier = (
            set(
                GroupMember.objects.filter(
                    member_group_id__in=frontier, group__is_active=True
                ).values_list("group_id", flat=True)
            )
            - ids
        )
    return frozenset(ids)


def grants_for(user: User) -> Grants:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached.generation == _generation:
        return cached
    from tracker.models import ACE

    group_ids = user_group_ids(user)
    grants = Grants(group_ids=group_ids, generation=_generation)
    rows = ACE.objects.filter(
        Q(user=user) | Q(group_id__in=group_ids) | ~Q(role="")
    ).values_list("right", "queue_id", "role")
    for right, queue_id, role in rows:
        if role:
            grants.by_role.setdefault(role, {}).setdefault(queue_id, set()).add(right)
        else:
            grants.direct.setdefault(queue_id, set()).add(right)
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: User) -> None:
    """Drop the cached grants (after a grant, a membership or a watcher change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _roles_on_ticket(user: User, ticket: Ticket, grants: Grants) -> frozenset[str]:
    cached = grants.roles_on_ticket.get(ticket.pk)
    if cached is not None:
        return cached
    from tracker.models import QueueWatcher, Role, TicketWatcher

    roles: set[str] = set()
    if ticket.owner_id == user.pk:
        roles.add(Role.OWNER)
    principal = Q(user=user) | Q(group_id__in=grants.group_ids)
    roles.update(
        TicketWatcher.objects.filter(principal, ticket_id=ticket.pk).values_list(
            "role", flat=True
        )
    )
    roles.update(
        QueueWatcher.objects.filter(principal, queue_id=ticket.queue_id).values_list(
            "role", flat=True
        )
    )
    result = frozenset(roles)
    grants.roles_on_ticket[ticket.pk] = result
    return result


def _roles_on_queue(user: User, queue_id: int, grants: Grants) -> frozenset[str]:
    cached = grants.roles_on_queue.get(queue_id)
    if cached is not None:
        return cached
    from tracker.models import QueueWatcher

    principal = Q(user=user) | Q(group_id__in=grants.group_ids)
    result = frozenset(
        QueueWatcher.objects.filter(principal, queue_id=queue_id).values_list(
            "role", flat=True
        )
    )
    grants.roles_on_queue[queue_id] = result
    return result


def _is_ticket(obj: object) -> bool:
    from tracker.models import Ticket

    return isinstance(obj, Ticket)


def _is_queue(obj: object) -> bool:
    from queues.models import Queue

    return isinstance(obj, Queue)


def has_right(user: User | None, right: str, obj: Ticket | Queue | None = None) -> bool:
    """May `user` exercise `right` on `obj` (a ticket, a queue, or None for the system)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    if user.is_superuser or getattr(user, "is_rt_system", False):
        return True
    grants = grants_for(user)
    queue_id: int | None = None
    if _is_ticket(obj):
        queue_id = obj.queue_id  # type: ignore[union-attr]
    elif _is_queue(obj):
        queue_id = obj.pk  # type: ignore[union-attr]
    if grants.has_direct(right, queue_id):
        return True
    if obj is None:
        return False
    granting_roles = grants.roles_granting(right, queue_id) | grants.roles_granting(
        SUPER_USER, queue_id
    )
    if not granting_roles:
        return False
    if _is_ticket(obj):
        held = _roles_on_ticket(user, obj, grants)  # type: ignore[arg-type]
    else:
        held = _roles_on_queue(user, queue_id, grants)  # type: ignore[arg-type]
    return bool(held & granting_roles)


def queues_with_right(user: User, right: str) -> QuerySet[Queue]:
    """Queues where `user` holds `right` directly (not through a ticket role), in SQL."""
    from queues.models import Queue

    queues = Queue.objects.all()
    if not user.is_active:
        return queues.none()
    if user.is_superuser or getattr(user, "is_rt_system", False):
        return queues
    grants = grants_for(user)
    if grants.has_direct(right, GLOBAL):
        return queues
    ids = {
        queue_id
        for queue_id, granted in grants.direct.items()
        if queue_id is not None and right in granted
    }
    ids |= {
        queue_id
        for queue_id in _queue_ids_via_queue_roles(user, right, grants)
        if queue_id is not None
    }
    return queues.filter(pk__in=ids)


def _queue_ids_via_queue_roles(user: User, right: str, grants: Grants) -> set[int]:
    """Queues where the user is a queue Cc/AdminCc and that role carries `right`."""
    from tracker.models import QUEUE_WATCHER_ROLES, QueueWatcher

    roles = {r for r in grants.by_role if r in QUEUE_WATCHER_ROLES}
    if not roles:
        return set()
    watched = QueueWatcher.objects.filter(
        Q(user=user) | Q(group_id__in=grants.group_ids), role__in=roles
    ).values_list("queue_id", "role")
    return {
        queue_id
        for queue_id, role in watched
        if right in grants.by_role[role].get(GLOBAL, ())
        or right in grants.by_role[role].get(queue_id, ())
    }


def ticket_filter(user: User, right: str = SHOW_TICKET) -> Q | None:
    """A Q over Ticket that keeps the tickets on which `user` holds `right`.

    None means "no restriction". Role grants become EXISTS subqueries, so the whole
    filter runs in the database whatever the number of tickets.
    """
    from tracker.models import QueueWatcher, Role, TicketWatcher

    if not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or getattr(user, "is_rt_system", False):
        return None
    grants = grants_for(user)
    if grants.has_direct(right, GLOBAL):
        return None
    direct_queues = {
        q for q, granted in grants.direct.items() if q is not None and right in granted
    }
    condition = Q(queue_id__in=direct_queues) if direct_queues else Q(pk__in=[])
    principal_ids = Q(user_id=user.pk) | Q(group_id__in=grants.group_ids)
    for role, per_queue in grants.by_role.items():
        if right in per_queue.get(GLOBAL, ()) or SUPER_USER in per_queue.get(
            GLOBAL, ()
        ):
            in_queues = Q()
        else:
            role_queues = {
                q
                for q, granted in per_queue.items()
                if q is not None and right in granted
            }
            if not role_queues:
                continue
            in_queues = Q(queue_id__in=role_queues)
        if role == Role.OWNER:
            holds = Q(owner_id=user.pk)
        else:
            holds = Exists(
                TicketWatcher.objects.filter(
                    principal_ids, ticket_id=OuterRef("pk"), role=role
                )
            )
            if role in (Role.CC, Role.ADMIN_CC):
                holds = holds | Exists(
                    QueueWatcher.objects.filter(
                        principal_ids, queue_id=OuterRef("queue_id"), role=role
                    )
                )
        condition |= in_queues & Q(holds)
    return condition


class RightsBackend:
    """Lets `user.has_perm("ShowTicket", ticket)` answer through `has_right`."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: User, perm: str, obj: Any = None) -> bool:
        if "." in perm or not is_known_right(perm):
            return False
        return has_right(user_obj, perm, obj)

    def has_module_perms(self, user_obj: User, app_label: str) -> bool:
        return False

    def get_user(self, user_id: int) -> None:
        return None


def require(
    user: User, right: str, obj: Ticket | Queue | None = None, *alternatives: str
) -> None:
    """Raise PermissionDenied unless `user` holds `right` (or one of `alternatives`) on `obj`."""
    from tracker.errors import PermissionDenied

    if any(has_right(user, r, obj) for r in (right, *alternatives)):
        return
    names = " or ".join((right, *alternatives))
    raise PermissionDenied(f"Permission denied: you need {names} for this.")


def system_group_has_right(
    group_name: str, right: str, queue: Queue | None = None
) -> bool:
    """Does a system group (Everyone, Privileged, Unprivileged) hold `right` on `queue`
    (or globally)? Used to diagnose setups, e.g. whether strangers may open tickets by mail."""
    from tracker.models import ACE, GroupDomain

    scope = (
        Q(queue__isnull=True) | Q(queue=queue)
        if queue is not None
        else Q(queue__isnull=True)
    )
    return ACE.objects.filter(
        scope,
        right__in=[right, SUPER_USER],
        group__domain=GroupDomain.SYSTEM,
        group__name=group_name,
    ).exists()
