"""Headers that mark automatic mail, and header-value hygiene."""

from __future__ import annotations

from collections.abc import Mapping

LOOP_HEADER = "X-RT-Loop-Prevention"
TICKET_HEADER = "X-RT-Ticket"
AUTO_SUBMITTED = "Auto-Submitted"

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def sanitize_header_value(value: str) -> str:
    """One line: CR, LF and other control characters folded to spaces, so a name or a
    subject can never smuggle an extra header into mail we send."""
    return " ".join(
        "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in value).split()
    )


def is_our_loop(headers: Mapping[str, str], rtname: str) -> bool:
    """True when the message carries our own loop-prevention header: we sent it."""
    return (headers.get(LOOP_HEADER) or "").strip().lower() == rtname.strip().lower()


def is_auto_generated(headers: Mapping[str, str]) -> bool:
    """RFC 3834 and common practice: auto-replies, bounces, bulk and list mail."""
    auto = (headers.get(AUTO_SUBMITTED) or "no").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    precedence = (headers.get("Precedence") or "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return True
    if headers.get("X-Autoreply") or headers.get("X-Autorespond"):
        return True
    return bool(
        headers.get("X-Auto-Response-Suppress", "").strip().lower() in {"all", "oof"}
    )
