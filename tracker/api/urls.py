"""REST 2.0 routes, as RT names them, under /REST/2.0/."""

from __future__ import annotations

from django.urls import path, re_path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from tracker.api.errors import not_found
from tracker.api.views import (
    customfields,
    principals,
    queues,
    system,
    ticket_actions,
    tickets,
    tokens,
    transactions,
)
from tracker.models import TransactionType


class IdConverter:
    """Ids that fit a 64-bit column; longer digit strings match nothing (a JSON 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "api"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:docs"), name="root"),
    path("rt", system.SystemView.as_view(), name="rt"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Tickets
    path("ticket", tickets.TicketCreateView.as_view(), name="ticket-create"),
    path("ticket/<id:pk>", tickets.TicketView.as_view(), name="ticket"),
    *(
        path(
            f"ticket/<id:pk>/{verb}",
            ticket_actions.TicketOwnerView.as_view(verb=verb),
            name=f"ticket-{verb}",
        )
        for verb in ("take", "untake", "steal")
    ),
    path(
        "ticket/<id:pk>/correspond",
        ticket_actions.TicketMessageView.as_view(kind=TransactionType.CORRESPOND),
        name="ticket-correspond",
    ),
    path(
        "ticket/<id:pk>/comment",
        ticket_actions.TicketMessageView.as_view(kind=TransactionType.COMMENT),
        name="ticket-comment",
    ),
    path(
        "ticket/<id:pk>/history",
        ticket_actions.TicketHistoryView.as_view(),
        name="ticket-history",
    ),
    path(
        "ticket/<id:pk>/attachments",
        ticket_actions.TicketAttachmentsView.as_view(),
        name="ticket-attachments",
    ),
    path("tickets", tickets.TicketsView.as_view(), name="tickets"),
    path("tickets/bulk", tickets.TicketsBulkView.as_view(), name="tickets-bulk"),
    path(
        "tickets/bulk/correspond",
        ticket_actions.TicketsBulkMessageView.as_view(kind=TransactionType.CORRESPOND),
        name="tickets-bulk-correspond",
    ),
    path(
        "tickets/bulk/comment",
        ticket_actions.TicketsBulkMessageView.as_view(kind=TransactionType.COMMENT),
        name="tickets-bulk-comment",
    ),
    # History
    path("transactions", transactions.TransactionsView.as_view(), name="transactions"),
    path(
        "transaction/<id:pk>",
        transactions.TransactionView.as_view(),
        name="transaction",
    ),
    path(
        "transaction/<id:pk>/attachments",
        transactions.TransactionAttachmentsView.as_view(),
        name="transaction-attachments",
    ),
    path(
        "attachment/<id:pk>", transactions.AttachmentView.as_view(), name="attachment"
    ),
    # Queues
    path("queues/all", queues.QueuesView.as_view(), name="queues-all"),
    path("queues", queues.QueuesView.as_view(), name="queues"),
    path("queue", queues.QueueCreateView.as_view(), name="queue-create"),
    path("queue/<id:key>", queues.QueueEditView.as_view(), name="queue"),
    path(
        "queue/<id:key>/history",
        transactions.QueueHistoryView.as_view(),
        name="queue-history",
    ),
    path("queue/<str:key>", queues.QueueEditView.as_view(), name="queue-by-name"),
    path(
        "queue/<str:key>/history",
        transactions.QueueHistoryView.as_view(),
        name="queue-history-by-name",
    ),
    # Users and groups
    path("users", principals.UsersView.as_view(), name="users"),
    path(
        "users/privileged",
        principals.UsersView.as_view(privileged=True),
        name="users-privileged",
    ),
    path(
        "users/unprivileged",
        principals.UsersView.as_view(privileged=False),
        name="users-unprivileged",
    ),
    path("user", principals.UserCreateView.as_view(), name="user-create"),
    path("user/<id:key>", principals.UserEditView.as_view(), name="user"),
    path(
        "user/<id:key>/groups",
        principals.UserGroupsView.as_view(),
        name="user-groups",
    ),
    path(
        "user/<id:key>/history",
        transactions.UserHistoryView.as_view(),
        name="user-history",
    ),
    path("user/<str:key>", principals.UserEditView.as_view(), name="user-by-name"),
    path(
        "user/<str:key>/history",
        transactions.UserHistoryView.as_view(),
        name="user-history-by-name",
    ),
    path(
        "user/<str:key>/groups",
        principals.UserGroupsView.as_view(),
        name="user-groups-by-name",
    ),
    path("groups", principals.GroupsView.as_view(), name="groups"),
    path("group", principals.GroupCreateView.as_view(), name="group-create"),
    path("group/<id:pk>", principals.GroupEditView.as_view(), name="group"),
    path(
        "group/<id:pk>/history",
        transactions.GroupHistoryView.as_view(),
        name="group-history",
    ),
    path(
        "group/<id:pk>/members",
        principals.GroupMembersView.as_view(),
        name="group-members",
    ),
    path(
        "group/<id:pk>/member/<id:member_id>",
        principals.GroupMemberView.as_view(),
        name="group-member",
    ),
    # Custom fields
    path("customfields", customfields.CustomFieldsView.as_view(), name="customfields"),
    path(
        "customfield/<id:pk>",
        customfields.CustomFieldView.as_view(),
        name="customfield",
    ),
    path(
        "customfield/<id:pk>/values",
        customfields.CustomFieldValuesView.as_view(),
        name="customfield-values",
    ),
    path(
        "customfield/<id:pk>/value/<id:value_id>",
        customfields.CustomFieldValueView.as_view(),
        name="customfield-value",
    ),
    # Auth tokens of the caller
    path("tokens", tokens.TokensView.as_view(), name="tokens"),
    path("token/<id:pk>", tokens.TokenView.as_view(), name="token"),
    # Anything else under /REST/2.0/ answers in JSON too.
    re_path(r"^.*$", not_found),
]
