"""Creating a ticket in a queue (staff form and the simpler self-service form)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lifecycles import registry
from queues.models import Queue
from tracker import rights, services
from tracker.errors import DomainError
from tracker.models import CustomField
from tracker.services.customfields import custom_fields_for_queue
from tracker.web.forms import CreateTicketForm, uploads_from

CF_PREFIX = "cf_"


def _creatable_queues(request: HttpRequest) -> list[Queue]:
    return list(
        rights.queues_with_right(request.user, rights.CREATE_TICKET).filter(
            is_active=True
        )
    )


def _custom_field(field: CustomField, choices: list[str]) -> forms.Field:
    label = field.name
    if field.type == "select":
        options = [("", "—"), *((c, c) for c in choices)]
        if field.is_single:
            return forms.ChoiceField(label=label, choices=options, required=False)
        return forms.MultipleChoiceField(
            label=label, choices=options[1:], required=False
        )
    if field.type == "text" or not field.is_single:
        help_text = "" if field.is_single else _("One value per line.")
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=help_text,
        )
    return forms.CharField(
        label=label, required=False, help_text=field.description or ""
    )


def _build_form(
    request: HttpRequest, queue: Queue, data: object = None, files: object = None
) -> tuple[CreateTicketForm, list[CustomField]]:
    lifecycle = registry.get_lifecycle(queue.lifecycle.name)
    statuses = [(s, s) for s in lifecycle.creatable_statuses()]
    is_staff_form = request.user.is_privileged
    form = CreateTicketForm(
        data,
        files,
        statuses=statuses,
        is_staff_form=is_staff_form,
        initial={
            "status": lifecycle.default_create_status(),
            "requestors": request.user.email,
        },
    )
    fields: list[CustomField] = []
    if is_staff_form and rights.has_right(
        request.user, rights.SET_INITIAL_CUSTOM_FIELD, queue
    ) | rights.has_right(request.user, rights.MODIFY_CUSTOM_FIELD, queue):
        fields = custom_fields_for_queue(queue.pk)
        choices: dict[int, list[str]] = {}
        for field in fields:
            if field.type == "select":
                choices[field.pk] = list(field.choices.values_list("name", flat=True))
            form.fields[f"{CF_PREFIX}{field.pk}"] = _custom_field(
                field, choices.get(field.pk, [])
            )
    return form, fields


def _custom_values(form: CreateTicketForm, fields: list[CustomField]) -> dict:
    values: dict = {}
    for field in fields:
        raw = form.cleaned_data.get(f"{CF_PREFIX}{field.pk}")
        if isinstance(raw, list):
            items = [v for v in raw if v]
        else:
            items = [line.strip() for line in (raw or "").splitlines() if line.strip()]
        if items:
            values[field] = items
    return values


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    """GET: choose a queue, then the form; POST: create and go to the new ticket."""
    queues = _creatable_queues(request)
    queue_id = request.POST.get("queue") or request.GET.get("queue")
    queue = next((q for q in queues if str(q.pk) == str(queue_id)), None)
    if queue is None:
        if queue_id:
            raise Http404(_("No such queue, or you may not create tickets in it."))
        if len(queues) == 1:
            queue = queues[0]
        else:
            return render(
                request, "tracker/ticket_create_queue.html", {"queues": queues}
            )
    if request.method != "POST":
        form, _fields = _build_form(request, queue)
        return render(
            request, "tracker/ticket_create.html", {"form": form, "queue": queue}
        )
    form, fields = _build_form(request, queue, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        staff = request.user.is_privileged
        try:
            ticket = services.create_ticket(
                queue=queue,
                actor=request.user,
                subject=data["subject"],
                body=data.get("body") or "",
                requestors=(data.get("requestors") or [request.user])
                if staff
                else [request.user],
                cc=data.get("cc") or [] if staff else [],
                status=data.get("status") or None,
                due=data.get("due"),
                time_estimated=data.get("time_estimated") or 0,
                uploads=uploads_from(data.get("attachments") or []),
                custom_fields=_custom_values(form, fields) or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return render(
                request,
                "tracker/ticket_create.html",
                {"form": form, "queue": queue},
                status=error.status_code,
            )
        messages.success(request, _("Ticket #%(n)s created.") % {"n": ticket.pk})
        return redirect(ticket)
    return render(
        request,
        "tracker/ticket_create.html",
        {"form": form, "queue": queue},
        status=400,
    )
