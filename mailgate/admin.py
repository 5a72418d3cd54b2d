"""The inbound mail list: every stored message, filtered by status, with a replay action
for the ones that were rejected, quarantined or failed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from mailgate.models import REPLAYABLE, InboundEmail, Mailbox
from mailgate.services import replay
from tracker.errors import DomainError

RAW_PREVIEW_CHARS = 20000


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "received_at",
        "status",
        "queue",
        "action",
        "sender",
        "subject",
        "ticket_link",
        "interface",
    ]
    list_filter = ["status", "interface", "queue"]
    search_fields = ["sender", "subject", "message_id", "sha256"]
    date_hierarchy = "received_at"
    list_select_related = ["queue"]
    actions = ["replay_selected"]
    exclude = ["raw"]
    readonly_fields = [
        "status",
        "reason_text",
        "ticket_link",
        "transaction_id",
        "queue",
        "action",
        "requested_ticket",
        "sender",
        "subject",
        "message_id",
        "sha256",
        "size",
        "dedupe_key",
        "duplicate_of",
        "envelope_sender",
        "envelope_recipient",
        "extension",
        "interface",
        "received_at",
        "processed_at",
        "replayed_by",
        "is_auto_generated",
        "notice",
        "notice_sent_at",
        "raw_preview",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: InboundEmail | None = None
    ) -> bool:
        # Viewing only; the one change allowed is the replay action.
        return False

    @admin.display(description="ticket")
    def ticket_link(self, obj: InboundEmail) -> str:
        if not obj.ticket_id:
            return "-"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("ticket-detail", args=[obj.ticket_id]),
            obj.ticket_id,
        )

    @admin.display(description="reason")
    def reason_text(self, obj: InboundEmail) -> str:
        return format_html("<pre>{}</pre>", obj.reason)

    @admin.display(description="raw message (start)")
    def raw_preview(self, obj: InboundEmail) -> str:
        text = bytes(obj.raw[:RAW_PREVIEW_CHARS]).decode("utf-8", "replace")
        return format_html("<pre>{}</pre>", text)

    @admin.action(description="Replay selected messages through the gateway")
    def replay_selected(
        self, request: HttpRequest, queryset: QuerySet[InboundEmail]
    ) -> HttpResponse | None:
        done, skipped = [], 0
        for inbound in queryset.filter(status__in=REPLAYABLE).select_related("queue"):
            try:
                result = replay(inbound=inbound, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            done.append(f"#{result.inbound_id}: {result.status}")
        skipped = queryset.exclude(status__in=REPLAYABLE).count()
        if done:
            self.message_user(request, "Replayed " + ", ".join(done), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} message(s) skipped: only rejected, quarantined or "
                "failed messages can be replayed.",
                messages.WARNING,
            )
        return None


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "queue",
        "action",
        "protocol",
        "host",
        "username",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    list_filter = ["is_active", "protocol", "queue"]
    search_fields = ["name", "host", "username"]
    readonly_fields = ["last_polled_at", "last_error", "lease_until"]
    actions = ["poll_now"]

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "password":
            # Kept as given (the mail server needs it); shown masked but editable.
            kwargs["widget"] = forms.PasswordInput(render_value=True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description="Poll the selected mailboxes now")
    def poll_now(
        self, request: HttpRequest, queryset: QuerySet[Mailbox]
    ) -> HttpResponse | None:
        from mailgate.polling import poll_mailbox

        for mailbox in queryset.select_related("queue"):
            result = poll_mailbox(mailbox)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, str(result), level)
        return None
