"""Tickets, history, attachments and links: read-only in the admin.

Tickets change only through the ticket pages and services; history is append-only. Staff
see the rows they could see in the tracker itself, filtered in SQL.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tracker import queries, rights
from tracker.admin.base import ReadOnlyAdmin, ReadOnlyInline
from tracker.models import (
    Attachment,
    CustomFieldValue,
    Link,
    Ticket,
    TicketWatcher,
    Transaction,
)


class TicketWatcherInline(ReadOnlyInline):
    model = TicketWatcher
    fields = ["role", "user", "group"]
    verbose_name_plural = "Watchers"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketWatcher]:
        return super().get_queryset(request).select_related("user", "group")


class CustomFieldValueInline(ReadOnlyInline):
    model = CustomFieldValue
    fk_name = "ticket"
    fields = ["custom_field", "content", "creator", "created"]
    verbose_name_plural = "Custom field values"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomFieldValue]:
        return super().get_queryset(request).select_related("custom_field", "creator")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "subject",
        "queue",
        "status",
        "owner",
        "priority",
        "created",
        "last_updated",
    ]
    list_display_links = ["id", "subject"]
    list_select_related = ["queue", "owner"]
    # Related-only: staff are not shown the names of queues they cannot see.
    list_filter = [("queue", admin.RelatedOnlyFieldListFilter), "status"]
    search_fields = ["subject", "id__exact"]
    inlines = [TicketWatcherInline, CustomFieldValueInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        tickets = (
            super()
            .get_queryset(request)
            .select_related(
                "queue", "owner", "creator", "last_updated_by", "merged_into"
            )
        )
        condition = rights.ticket_filter(request.user, rights.SHOW_TICKET)
        return tickets if condition is None else tickets.filter(condition)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Ticket], search_term: str
    ) -> tuple[QuerySet[Ticket], bool]:
        # "#123" finds ticket 123, as ticket numbers are written in subjects.
        term = search_term.strip()
        if term.startswith("#") and term[1:].isdigit():
            term = term[1:]
        return super().get_search_results(request, queryset, term)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["subject", "filename", "content_type", "size", "created"]
    show_change_link = True


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "ticket",
        "type",
        "field",
        "old_value",
        "new_value",
        "creator",
        "created",
    ]
    list_select_related = ["ticket", "creator"]
    list_filter = ["type", "object_type"]
    search_fields = ["ticket__id__exact", "field", "old_value", "new_value"]
    inlines = [AttachmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transaction]:
        history = super().get_queryset(request)
        condition = queries.visible_transactions(request.user)
        return history if condition is None else history.filter(condition)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "subject", "filename", "content_type", "size"]
    list_select_related = ["transaction"]
    list_filter = ["content_type"]
    search_fields = ["subject", "filename", "message_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        attachments = (
            super()
            .get_queryset(request)
            .select_related("transaction", "parent", "creator")
        )
        condition = queries.visible_transactions(request.user)
        if condition is None:
            return attachments
        return attachments.filter(transaction__in=Transaction.objects.filter(condition))


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ["id", "base", "type", "target", "target_uri", "creator", "created"]
    list_select_related = ["base", "target", "creator"]
    list_filter = ["type"]
    search_fields = ["base__id__exact", "target__id__exact", "target_uri"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Link]:
        links = super().get_queryset(request)
        tickets = queries.tickets_with_right(request.user, rights.SHOW_TICKET)
        return links if tickets is None else links.filter(base__in=tickets)
