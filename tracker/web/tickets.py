"""The ticket page, its history pages and attachment downloads (reads only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html_join
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from lifecycles import registry
from queues.models import Queue
from tracker import queries, rights
from tracker.errors import NotFound
from tracker.models import (
    Attachment,
    CustomFieldChoice,
    CustomFieldValue,
    Link,
    LinkType,
    Ticket,
    TicketWatcher,
    TransactionType,
    User,
)
from tracker.services.customfields import custom_fields_for_queue
from tracker.web.forms import (
    COMMENT,
    REPLY,
    AddLinkForm,
    AddWatcherForm,
    BasicsForm,
    MergeForm,
    UpdateForm,
    static_form,
)
from tracker.web.history import build_entries, format_minutes

HISTORY_PAGE_SIZE = 50
LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})

# Attachments are always downloaded, never rendered by the browser; only these types
# keep their own Content-Type, everything else is served as opaque bytes.
SAFE_DOWNLOAD_TYPES = frozenset(
    {
        "text/plain",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/zip",
    }
)


class Can:
    """`{% if can.ModifyTicket %}`: rights of the current user on one object.

    Answers come from tracker.rights (grants are cached per user), so templates hold
    no permission logic of their own.
    """

    def __init__(self, user: User, obj: Ticket | Queue | None = None) -> None:
        self.user, self.obj, self._seen = user, obj, {}

    def __getitem__(self, right: str) -> bool:
        if right not in self._seen:
            self._seen[right] = rights.has_right(self.user, right, self.obj)
        return self._seen[right]

    def any(self, *names: str) -> bool:
        return any(self[name] for name in names)


def load_ticket(
    request: HttpRequest, pk: int, right: str = rights.SHOW_TICKET
) -> Ticket:
    """The ticket, or 404 for both missing and forbidden numbers."""
    try:
        return queries.get_ticket_for(request.user, pk, right)
    except NotFound:
        raise Http404(_("No such ticket.")) from None


def parse_loaded_at(value: str | None) -> Any:
    return parse_datetime(value) if value else None


# --- Building the page ------------------------------------------------------------------


def _lifecycle_actions(ticket: Ticket, can: Can) -> list[dict]:
    lifecycle = registry.get_lifecycle(ticket.queue.lifecycle.name)
    actions = []
    for action in lifecycle.actions_for(ticket.status):
        if can[lifecycle.required_right(ticket.status, action.to_status)]:
            actions.append(
                {
                    "label": action.label,
                    "to_status": action.to_status,
                    "kind": {"respond": REPLY, "comment": COMMENT}.get(
                        str(action.update), ""
                    ),
                }
            )
    return actions


def status_choices(ticket: Ticket, can: Can) -> list[tuple[str, str]]:
    lifecycle = registry.get_lifecycle(ticket.queue.lifecycle.name)
    choices = [("", _("%(status)s (unchanged)") % {"status": ticket.status})]
    for status in lifecycle.next_statuses(ticket.status):
        if can[lifecycle.required_right(ticket.status, status)]:
            choices.append((status, status))
    return choices


def message_kinds(user: User, can: Can) -> list[tuple[str, str]]:
    kinds = []
    if can.any(rights.REPLY_TO_TICKET, rights.MODIFY_TICKET):
        kinds.append((REPLY, _("Reply (sent to requestors)")))
    if user.is_privileged and can.any(rights.COMMENT_ON_TICKET, rights.MODIFY_TICKET):
        kinds.append((COMMENT, _("Comment (staff only)")))
    return kinds


def can_set_owner(user: User, can: Can) -> bool:
    return user.is_privileged and can.any(
        rights.MODIFY_TICKET,
        rights.REASSIGN_TICKET,
        rights.TAKE_TICKET,
        rights.STEAL_TICKET,
    )


def make_update_form(
    request: HttpRequest, ticket: Ticket, can: Can, data: Any = None, files: Any = None
) -> UpdateForm:
    initial = {"last_updated": ticket.last_updated.isoformat()}
    wanted_kind = request.GET.get("kind")
    if wanted_kind in (REPLY, COMMENT):
        initial["kind"] = wanted_kind
    if request.GET.get("status"):
        initial["status"] = request.GET["status"]
    return UpdateForm(
        data,
        files,
        initial=initial,
        kinds=message_kinds(request.user, can),
        statuses=status_choices(ticket, can),
        can_set_owner=can_set_owner(request.user, can),
    )


def _owner_actions(user: User, ticket: Ticket, can: Can) -> list[str]:
    if not user.is_privileged:
        return []
    if ticket.owner.is_nobody:
        may = can[rights.OWN_TICKET] and can.any(
            rights.TAKE_TICKET, rights.MODIFY_TICKET, rights.REASSIGN_TICKET
        )
        return ["take"] if may else []
    if ticket.owner_id == user.pk:
        return (
            ["untake"] if can.any(rights.MODIFY_TICKET, rights.REASSIGN_TICKET) else []
        )
    may_steal = can[rights.OWN_TICKET] and can.any(
        rights.STEAL_TICKET, rights.MODIFY_TICKET
    )
    return ["steal"] if may_steal else []


ROLE_SECTIONS = (
    ("Requestor", gettext_lazy("Requestors")),
    ("Cc", gettext_lazy("Cc")),
    ("AdminCc", gettext_lazy("AdminCc")),
)


def _people(ticket: Ticket) -> list[dict]:
    people: dict[str, list[TicketWatcher]] = defaultdict(list)
    for watcher in TicketWatcher.objects.filter(ticket=ticket).select_related(
        "user", "group"
    ):
        people[watcher.role].append(watcher)
    return [
        {"role": role, "label": label, "watchers": people.get(role, [])}
        for role, label in ROLE_SECTIONS
    ]


LINK_SECTIONS = (
    ("DependsOn", gettext_lazy("Depends on")),
    ("DependedOnBy", gettext_lazy("Depended on by")),
    ("MemberOf", gettext_lazy("Parents")),
    ("HasMember", gettext_lazy("Children")),
    ("RefersTo", gettext_lazy("Refers to")),
    ("ReferredToBy", gettext_lazy("Referred to by")),
    ("Merged", gettext_lazy("Merged tickets")),
)
_REVERSE = {
    LinkType.DEPENDS_ON: "DependedOnBy",
    LinkType.MEMBER_OF: "HasMember",
    LinkType.REFERS_TO: "ReferredToBy",
    LinkType.MERGED_INTO: "Merged",
}


def _links(ticket: Ticket, user: User) -> list[dict]:
    """Links grouped by direction. Subjects only of tickets the user may see."""
    rows = list(
        Link.objects.filter(Q(base=ticket) | Q(target=ticket)).select_related(
            "base", "target"
        )
    )
    other_ids = {
        r.target_id if r.base_id == ticket.pk else r.base_id
        for r in rows
        if r.target_id
    }
    visible = (
        set(
            queries.visible_tickets(user)
            .filter(pk__in=other_ids)
            .values_list("pk", flat=True)
        )
        if other_ids
        else set()
    )
    # Merged-away tickets are excluded from visible_tickets; they are shown by number.
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        outgoing = row.base_id == ticket.pk
        if outgoing and row.type == LinkType.MERGED_INTO:
            continue
        section = str(row.type) if outgoing else _REVERSE[row.type]
        other = row.target if outgoing else row.base
        item: dict[str, Any] = {"kind": section}
        if other is None:
            item.update(
                uri=row.target_uri,
                label=row.target_uri,
                removable=True,
                # Only ordinary schemes become links: javascript: and data: stay text.
                clickable=row.target_uri.split(":", 1)[0].lower() in LINK_SCHEMES,
            )
        else:
            item.update(
                number=other.pk,
                subject=other.subject if other.pk in visible else "",
                status=other.status if other.pk in visible else "",
                removable=section != "Merged",
            )
        grouped[section].append(item)
    return [
        {"kind": kind, "label": label, "items": grouped[kind]}
        for kind, label in LINK_SECTIONS
        if grouped.get(kind)
    ]


def _custom_fields(ticket: Ticket) -> list[dict]:
    fields = custom_fields_for_queue(ticket.queue_id)
    if not fields:
        return []
    values: dict[int, list[str]] = defaultdict(list)
    for field_id, content in CustomFieldValue.objects.filter(
        ticket=ticket, custom_field__in=fields
    ).values_list("custom_field_id", "content"):
        values[field_id].append(content)
    choices: dict[int, list[str]] = defaultdict(list)
    select_ids = [f.pk for f in fields if f.type == "select"]
    if select_ids:
        for field_id, name in CustomFieldChoice.objects.filter(
            custom_field_id__in=select_ids
        ).values_list("custom_field_id", "name"):
            choices[field_id].append(name)
    return [
        {
            "field": f,
            "values": values.get(f.pk, []),
            "text": "\n".join(values.get(f.pk, [])),
            "choices": choices.get(f.pk, []),
        }
        for f in fields
    ]


# What customers see of the history: the conversation and status changes, never
# comments, outgoing-mail records or changes to staff-only fields.
SELF_SERVICE_TYPES = (
    TransactionType.CREATE,
    TransactionType.CORRESPOND,
    TransactionType.STATUS,
)


def visible_history(request: HttpRequest, ticket: Ticket) -> Any:
    """What this page shows of the history: the rights' view, narrowed for customers."""
    history = queries.ticket_history(ticket, request.user)
    if not request.user.is_privileged:
        history = history.filter(type__in=SELF_SERVICE_TYPES)
    elif not rights.has_right(request.user, rights.SEE_CUSTOM_FIELD, ticket):
        # Custom field values (and their changes) need SeeCustomField.
        history = history.exclude(type=TransactionType.CUSTOM_FIELD)
    return history


def _history_page(request: HttpRequest, ticket: Ticket) -> Any:
    paginator = Paginator(visible_history(request, ticket), HISTORY_PAGE_SIZE)
    wanted = request.GET.get("page") or paginator.num_pages
    return paginator.get_page(wanted)


def _owner_candidates() -> SafeString:
    """The owner field's suggestions, as `<option>`s (built here: a template loop over
    200 people was a large part of the page's rendering time)."""
    people = User.objects.filter(
        is_privileged=True, is_active=True, is_system=False
    ).values_list("username", "real_name")[:200]
    # The shown name is User.display_name: the real name, else the username.
    return format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((username, real_name or username) for username, real_name in people),
    )


def ticket_context(request: HttpRequest, ticket: Ticket, **extra: Any) -> dict:
    user = request.user
    can = Can(user, ticket)
    page = _history_page(request, ticket)
    context = {
        "ticket": ticket,
        "can": can,
        "history_page": page,
        "entries": build_entries(list(page.object_list)),
        "is_staff_view": user.is_privileged,
        "loaded_at": ticket.last_updated.isoformat(),
        "time": {
            "estimated": format_minutes(ticket.time_estimated),
            "worked": format_minutes(ticket.time_worked),
            "left": format_minutes(ticket.time_left),
        },
    }
    if user.is_privileged:
        context.update(
            actions=_lifecycle_actions(ticket, can),
            owner_actions=_owner_actions(user, ticket, can),
            people=_people(ticket),
            links=_links(ticket, user),
            custom_fields=_custom_fields(ticket)
            if can[rights.SEE_CUSTOM_FIELD]
            else [],
            watcher_form=static_form(AddWatcherForm),
            link_form=static_form(AddLinkForm),
            merge_form=static_form(MergeForm),
            candidates=_owner_candidates(),
        )
    context["update_form"] = extra.pop("update_form", None) or make_update_form(
        request, ticket, can
    )
    context.update(extra)
    return context


# --- Views ------------------------------------------------------------------------------


@login_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket and a page of its history. Missing and forbidden tickets answer 404."""
    ticket = load_ticket(request, pk)
    if ticket.pk != pk:
        # A merged number answers with the ticket it was merged into; show its own URL.
        return redirect(ticket)
    template = (
        "tracker/ticket_detail.html"
        if request.user.is_privileged
        else "tracker/selfservice/ticket_detail.html"
    )
    return render(request, template, ticket_context(request, ticket))


def ticket_basics_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The edit-basics form (a page of its own; also loaded into the ticket page by htmx)."""
    ticket = load_ticket(request, pk)
    rights.require(request.user, rights.MODIFY_TICKET, ticket)
    form = BasicsForm(
        initial={
            "subject": ticket.subject,
            "queue": str(ticket.queue_id),
            "priority": ticket.priority,
            "final_priority": ticket.final_priority,
            "time_estimated": ticket.time_estimated,
            "time_worked": ticket.time_worked,
            "time_left": ticket.time_left,
            "starts": ticket.starts,
            "due": ticket.due,
            "last_updated": ticket.last_updated.isoformat(),
        },
        queues=queue_choices(request.user, ticket),
    )
    return render(
        request, "tracker/ticket_basics.html", {"ticket": ticket, "form": form}
    )


def queue_choices(user: User, ticket: Ticket) -> list[tuple[str, str]]:
    queues = rights.queues_with_right(user, rights.CREATE_TICKET).filter(is_active=True)
    choices = [(str(q.pk), q.name) for q in queues]
    if str(ticket.queue_id) not in dict(choices):
        choices.insert(0, (str(ticket.queue_id), ticket.queue.name))
    return choices


@login_required
@require_GET
def ticket_changed(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the ticket page: 204 while unchanged, else a short notice to show."""
    ticket = load_ticket(request, pk)
    loaded = parse_loaded_at(request.GET.get("since"))
    if loaded is None or ticket.last_updated <= loaded:
        return HttpResponse(status=204)
    response = render(
        request,
        "tracker/partials/changed_notice.html",
        {"ticket": ticket},
    )
    # The ticket page listens for this event and reloads its history block.
    response["HX-Trigger"] = "ticket-changed"
    return response


@login_required
@require_GET
def ticket_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The history block alone (a page of it), for the ticket page to refresh."""
    ticket = load_ticket(request, pk)
    page = _history_page(request, ticket)
    return render(
        request,
        "tracker/partials/history.html",
        {
            "ticket": ticket,
            "history_page": page,
            "entries": build_entries(list(page.object_list)),
            "is_staff_view": request.user.is_privileged,
        },
    )


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, pk: int, attachment_id: int
) -> HttpResponse:
    """One attachment of a history entry the user may read, always as a download."""
    ticket = load_ticket(request, pk)
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id,
            transaction__in=visible_history(request, ticket).values("pk"),
        )
        .exclude(content_type__startswith="multipart/")
        .first()
    )
    if attachment is None:
        raise Http404(_("No such attachment."))
    content_type = attachment.content_type.split(";")[0].strip().lower()
    if content_type not in SAFE_DOWNLOAD_TYPES:
        content_type = "application/octet-stream"
    filename = attachment.filename or f"part-{attachment.pk}.txt"
    if attachment.file:
        response: HttpResponse = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )
    else:
        response = HttpResponse(
            attachment.content.encode(),
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Disposition"] = _disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(filename: str) -> str:
    return content_disposition_header(True, filename) or "attachment"
