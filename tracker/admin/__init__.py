"""The Django admin of the tracker: a thin caller of tracker.services.

Configuration (queues, users, groups, custom fields) is saved by the ModelAdmins; grants,
revocations, memberships and queue watchers go through the services, which check the
actor's rights and write history. Tickets and history are read-only here.
"""

from tracker.admin import acl, customfields, history, principals, queues

__all__ = ["acl", "customfields", "history", "principals", "queues"]
