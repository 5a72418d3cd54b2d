"""The ticket domain's models, one module per sub-domain."""

from tracker.models.customfields import (
    CustomField,
    CustomFieldChoice,
    CustomFieldLookup,
    CustomFieldType,
    CustomFieldValue,
    QueueCustomField,
)
from tracker.models.dashboards import Dashboard, DashboardItem, DashboardItemKind
from tracker.models.links import REVERSE_NAMES, Link, LinkType
from tracker.models.principals import (
    NOBODY_USERNAME,
    SYSTEM_USERNAME,
    Group,
    GroupDomain,
    GroupMember,
    SystemGroup,
    User,
)
from tracker.models.rights import ACE
from tracker.models.saved import SavedSearch as SavedSearch
from tracker.models.search import SearchDocument
from tracker.models.tickets import (
    NO_SUBJECT,
    QUEUE_WATCHER_ROLES,
    WATCHER_ROLES,
    QueueWatcher,
    Role,
    Ticket,
    TicketType,
    TicketWatcher,
)
from tracker.models.tokens import AuthToken
from tracker.models.transactions import (
    MESSAGE_TYPES,
    AppendOnlyError,
    Attachment,
    ObjectType,
    Transaction,
    TransactionType,
)

__all__ = [
    "ACE",
    "MESSAGE_TYPES",
    "NOBODY_USERNAME",
    "NO_SUBJECT",
    "QUEUE_WATCHER_ROLES",
    "REVERSE_NAMES",
    "SYSTEM_USERNAME",
    "WATCHER_ROLES",
    "AppendOnlyError",
    "Attachment",
    "AuthToken",
    "CustomField",
    "CustomFieldChoice",
    "CustomFieldLookup",
    "CustomFieldType",
    "CustomFieldValue",
    "Dashboard",
    "DashboardItem",
    "DashboardItemKind",
    "Group",
    "GroupDomain",
    "GroupMember",
    "Link",
    "LinkType",
    "ObjectType",
    "QueueCustomField",
    "QueueWatcher",
    "Role",
    "SearchDocument",
    "SystemGroup",
    "Ticket",
    "TicketType",
    "TicketWatcher",
    "Transaction",
    "TransactionType",
    "User",
]
