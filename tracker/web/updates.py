"""Changes made from the ticket page. Every write goes through tracker.services.

Domain errors raised by a service become a readable 4xx: the update form is shown
again with the message and the text typed so far; the small forms (people, links,
custom fields, merge, quick actions) answer through DomainErrorMiddleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from queues.models import Queue
from tracker import rights, services
from tracker.errors import Conflict, DomainError, NotFound, ValidationFailed
from tracker.models import Group, User
from tracker.services.updates import update_basics, update_ticket
from tracker.web.forms import (
    COMMENT,
    AddLinkForm,
    AddWatcherForm,
    BasicsForm,
    MergeForm,
    uploads_from,
)
from tracker.web.tickets import (
    Can,
    load_ticket,
    make_update_form,
    parse_loaded_at,
    queue_choices,
    ticket_basics_form,
    ticket_context,
)


def _page_with_error(
    request: HttpRequest, ticket: object, form: object, status: int
) -> HttpResponse:
    template = (
        "tracker/ticket_detail.html"
        if request.user.is_privileged
        else "tracker/selfservice/ticket_detail.html"
    )
    context = ticket_context(request, ticket, update_form=form)
    context["update_error"] = True
    return render(request, template, context, status=status)


def _owner_from(username: str) -> User:
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationFailed(_("There is no active user called '%s'.") % username)
    return user


@login_required
@require_POST
def ticket_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply or comment, with files and time, and status / owner in one atomic update."""
    ticket = load_ticket(request, pk)
    can = Can(request.user, ticket)
    form = make_update_form(request, ticket, can, request.POST, request.FILES)
    if not form.is_valid():
        return _page_with_error(request, ticket, form, 400)
    data = form.cleaned_data
    body = data.get("body") or ""
    is_comment = data.get("kind") == COMMENT
    owner_name = (data.get("owner") or "").strip()
    try:
        owner = (
            _owner_from(owner_name)
            if owner_name and owner_name != ticket.owner.username
            else None
        )
        update_ticket(
            ticket=ticket,
            actor=request.user,
            reply="" if is_comment else body,
            comment=body if is_comment else "",
            uploads=uploads_from(data.get("attachments") or []),
            time_taken=data.get("time_taken") or 0,
            status=data.get("status") or None,
            owner=owner,
            expected_last_updated=parse_loaded_at(data.get("last_updated")),
        )
    except DomainError as error:
        form.add_error(None, error.message)
        if isinstance(error, Conflict):
            ticket.refresh_from_db()
        return _page_with_error(request, ticket, form, error.status_code)
    only_comment = is_comment and body and not (data.get("status") or owner)
    messages.success(
        request, _("Comment added.") if only_comment else _("Ticket updated.")
    )
    return redirect(ticket)


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One-click changes: a lifecycle action without a message, or take / untake / steal."""
    ticket = load_ticket(request, pk)
    verb = request.POST.get("owner_action", "")
    loaded = parse_loaded_at(request.POST.get("last_updated"))
    if verb in ("take", "untake", "steal"):
        getattr(services, verb)(ticket=ticket, actor=request.user)
        messages.success(request, _("Owner changed."))
    elif request.POST.get("status"):
        update_ticket(
            ticket=ticket,
            actor=request.user,
            status=request.POST["status"],
            expected_last_updated=loaded,
        )
        messages.success(
            request, _("Status changed to %(status)s.") % {"status": ticket.status}
        )
    else:
        raise ValidationFailed(_("Nothing to do."))
    return redirect(ticket)


@login_required
def ticket_basics(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit subject, queue, priorities, times and dates."""
    if request.method != "POST":
        return ticket_basics_form(request, pk)
    ticket = load_ticket(request, pk)
    rights.require(request.user, rights.MODIFY_TICKET, ticket)
    form = BasicsForm(request.POST, queues=queue_choices(request.user, ticket))
    if not form.is_valid():
        return render(
            request,
            "tracker/ticket_basics.html",
            {"ticket": ticket, "form": form},
            status=400,
        )
    data = form.cleaned_data
    changes = {
        name: data[name]
        for name in (
            "subject",
            "priority",
            "final_priority",
            "time_estimated",
            "time_worked",
            "time_left",
            "starts",
            "due",
        )
        if data[name] != getattr(ticket, name)
    }
    queue = Queue.objects.filter(pk=data["queue"]).first()
    try:
        update_basics(
            ticket=ticket,
            actor=request.user,
            changes=changes,
            queue=queue,
            expected_last_updated=parse_loaded_at(data.get("last_updated")),
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return render(
            request,
            "tracker/ticket_basics.html",
            {"ticket": ticket, "form": form},
            status=error.status_code,
        )
    messages.success(request, _("Basics saved."))
    return redirect(ticket)


@login_required
@require_POST
def watcher_add(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    form = AddWatcherForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("Give a role and an email address or username."))
    who = form.cleaned_data["who"].strip()
    principal = User.objects.filter(username=who).first() or who
    services.add_watcher(
        ticket=ticket,
        role=form.cleaned_data["role"],
        principal=principal,
        actor=request.user,
    )
    messages.success(request, _("%(who)s added.") % {"who": who})
    return redirect(ticket)


@login_required
@require_POST
def watcher_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    model = Group if request.POST.get("principal_type") == "group" else User
    try:
        principal = model.objects.get(pk=int(request.POST.get("principal_id", "")))
    except (ValueError, model.DoesNotExist):
        raise NotFound(_("No such person or group.")) from None
    services.remove_watcher(
        ticket=ticket,
        role=request.POST.get("role", ""),
        principal=principal,
        actor=request.user,
    )
    messages.success(request, _("%(who)s removed.") % {"who": principal})
    return redirect(ticket)


@login_required
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    form = AddLinkForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("Choose a link type and give a ticket number or URL."))
    other = form.cleaned_data["other"].strip().lstrip("#")
    _check_visible_number(request, other)
    services.add_link(
        ticket=ticket, kind=form.cleaned_data["kind"], other=other, actor=request.user
    )
    messages.success(request, _("Link added."))
    return redirect(ticket)


@login_required
@require_POST
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    other = request.POST.get("other", "").strip()
    _check_visible_number(request, other)
    services.remove_link(
        ticket=ticket,
        kind=request.POST.get("kind", ""),
        other=other,
        actor=request.user,
    )
    messages.success(request, _("Link removed."))
    return redirect(ticket)


def _check_visible_number(request: HttpRequest, other: str) -> None:
    # The services say "does not exist" for missing numbers; never reveal more than
    # that for tickets the user may not see.
    if other.isdigit():
        load_ticket(request, int(other))


@login_required
@require_POST
def custom_field_set(request: HttpRequest, pk: int, field_id: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    raw = request.POST.getlist("values")
    values = [
        line.strip() for item in raw for line in item.splitlines() if line.strip()
    ]
    services.set_custom_field(
        ticket=ticket, field=field_id, values=values, actor=request.user
    )
    messages.success(request, _("Custom field saved."))
    return redirect(ticket)


@login_required
@require_POST
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("Give the number of the ticket to merge into."))
    target = load_ticket(request, form.cleaned_data["target"])
    survivor = services.merge_tickets(source=ticket, target=target, actor=request.user)
    messages.success(
        request,
        _("Ticket #%(source)s merged into #%(target)s.")
        % {"source": ticket.pk, "target": survivor.pk},
    )
    return redirect(survivor)
