"""Every domain change, one small function each. Views, admin, API, mail and CLI call these.

Each service checks the actor's rights, locks the rows it changes, writes the change and
its history atomically, and leaves side effects to `transaction.on_commit`.
"""

from tracker.services.access import (
    add_group_member,
    grant_right,
    remove_group_member,
    revoke_right,
)
from tracker.services.attachments import Upload
from tracker.services.customfields import set_custom_field
from tracker.services.links import add_link, merge_tickets, remove_link
from tracker.services.messages import comment, correspond
from tracker.services.owners import OwnerVerb, give, set_owner, steal, take, untake
from tracker.services.principals import get_or_create_user_for_email, resolve_principal
from tracker.services.status import set_status
from tracker.services.tickets import (
    add_time_worked,
    create_ticket,
    move_ticket,
    set_fields,
)
from tracker.services.watchers import (
    add_queue_watcher,
    add_watcher,
    remove_queue_watcher,
    remove_watcher,
)

__all__ = [
    "OwnerVerb",
    "Upload",
    "add_group_member",
    "add_link",
    "add_queue_watcher",
    "add_time_worked",
    "add_watcher",
    "comment",
    "correspond",
    "create_ticket",
    "get_or_create_user_for_email",
    "give",
    "grant_right",
    "merge_tickets",
    "move_ticket",
    "remove_group_member",
    "remove_link",
    "remove_queue_watcher",
    "remove_watcher",
    "resolve_principal",
    "revoke_right",
    "set_custom_field",
    "set_fields",
    "set_owner",
    "set_status",
    "steal",
    "take",
    "untake",
]
