"""Message-IDs of mail we send: <rt-{ticket}-{transaction}-{random}@{domain}>.

The ticket number inside lets a reply be threaded by In-Reply-To / References even when
the subject tag was removed.
"""

from __future__ import annotations

import re
import secrets

_OURS = re.compile(r"<?rt-(\d{1,18})-(\d{1,18})-[0-9a-f]+@([^>\s]+)>?", re.IGNORECASE)


def make_message_id(*, ticket_id: int, transaction_id: int, domain: str) -> str:
    return f"<rt-{ticket_id}-{transaction_id}-{secrets.token_hex(6)}@{domain}>"


def ticket_id_from_message_id(value: str, domain: str) -> int | None:
    """The ticket number of one of our Message-IDs found in `value`
    (an In-Reply-To or References header), most recent reference first."""
    for match in reversed(list(_OURS.finditer(value or ""))):
        if match.group(3).lower() == domain.lower():
            return int(match.group(1))
    return None
