"""The one error a TicketSQL query can raise."""

from __future__ import annotations

from tracker.errors import ValidationFailed


class TicketSQLError(ValidationFailed):
    """A query that does not parse, names an unknown field, or holds a bad value.

    `position` counts characters of the query from 1 (0 when the problem is not inside
    the query text, e.g. an unknown sort field); `message` says where and why.
    """

    def __init__(self, reason: str, position: int) -> None:
        where = f" at position {position}" if position > 0 else ""
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.position = position
