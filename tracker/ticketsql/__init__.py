"""TicketSQL, RT's query language for tickets, compiled to one SQL query through the ORM.

    from tracker.ticketsql import search, parse, TicketSQLError

    search(user, "Queue = 'NOC' AND Status = '__Active__'", order_by="Created", order="DESC")

`search` always applies the user's rights (through `queries.visible_tickets`), hides
merged tickets and, unless the query compares Status with 'deleted', deleted ones.
Paging is the caller's slicing of the returned queryset. `parse` only checks the
syntax; `search` also checks fields, operators and values. Both raise TicketSQLError
(a ValidationFailed) whose message says where (`position`, from 1) and why.

Fields: id, EffectiveId, Subject, Status, Type, Queue (name or id), Lifecycle, Owner,
Creator, LastUpdatedBy (username, id, or .EmailAddress/.Name/.RealName/.id/...),
Priority, InitialPriority, FinalPriority, TimeWorked, TimeEstimated, TimeLeft; dates
Created, Started, Resolved, Due, Starts, Told, LastUpdated, Updated/TransactionDate,
UpdatedBy; watchers Requestor(s), Cc, AdminCc, Watcher, QueueCc, QueueAdminCc,
QueueWatcher (deep through nested groups unless SHALLOW) and RequestorGroup, CCGroup,
AdminCCGroup, WatcherGroup (by group name); CF.{Name} / CF.Name / CustomField.{Name};
links DependsOn, DependedOnBy, MemberOf, HasMember, RefersTo, ReferredToBy, LinkedTo,
LinkedFrom, Linked; Content (full text), ContentType, Filename.
"""

from tracker.ticketsql.engine import search
from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.parser import parse

__all__ = ["TicketSQLError", "parse", "search"]
