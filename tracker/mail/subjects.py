"""Subject tags: "[rtname #123] Subject", and a queue's own tag "[CSIRT #123]"."""

from __future__ import annotations

import re
from collections.abc import Iterable


def subject_tag(tag: str, ticket_id: int) -> str:
    return f"[{tag} #{ticket_id}]"


def add_subject_tag(subject: str, tag: str, ticket_id: int) -> str:
    """Prefix the tag unless the subject already carries it (replies keep one tag)."""
    marker = subject_tag(tag, ticket_id)
    clean = " ".join((subject or "").split())
    if marker.lower() in clean.lower():
        return clean
    return f"{marker} {clean}".strip()


def ticket_id_from_subject(subject: str, tags: Iterable[str]) -> int | None:
    """The ticket number in a subject tag of ours (any of `tags`), else None.

    Tags match case-insensitively and may carry spaces inside the brackets, as mail
    clients sometimes rewrap them; foreign tags such as "[other #5]" are ignored.
    """
    names = [re.escape(t.strip()) for t in tags if t and t.strip()]
    if not names or not subject:
        return None
    pattern = re.compile(
        r"\[\s*(?:" + "|".join(names) + r")\s+#(\d{1,18})\s*\]", re.IGNORECASE
    )
    match = pattern.search(subject)
    return int(match.group(1)) if match else None
