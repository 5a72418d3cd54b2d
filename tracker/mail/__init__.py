"""Mail formatting shared by both directions (pure functions, no ORM).

Outgoing notifications and the incoming gateway must agree on these: the subject tag that
threads replies back to a ticket, the Message-ID form that identifies our own mail, and the
headers that mark mail as automatic so that two robots never answer each other forever.
"""

from tracker.mail.headers import (
    AUTO_SUBMITTED,
    LOOP_HEADER,
    TICKET_HEADER,
    is_auto_generated,
    is_our_loop,
    sanitize_header_value,
)
from tracker.mail.message_ids import make_message_id, ticket_id_from_message_id
from tracker.mail.subjects import add_subject_tag, subject_tag, ticket_id_from_subject

__all__ = [
    "AUTO_SUBMITTED",
    "LOOP_HEADER",
    "TICKET_HEADER",
    "add_subject_tag",
    "is_auto_generated",
    "is_our_loop",
    "make_message_id",
    "sanitize_header_value",
    "subject_tag",
    "ticket_id_from_message_id",
    "ticket_id_from_subject",
]
