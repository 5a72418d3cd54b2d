"""The one custom signal: sent after the database transaction holding a history entry
commits. Receivers (the scrips app) enqueue work; nothing runs inside the change."""

from django.dispatch import Signal

# Sent with `transaction_id: int`, once per committed Transaction row.
transaction_committed = Signal()
