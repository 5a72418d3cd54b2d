"""RT 1.0 endpoints, as RT's `rt` tool and older scripts call them.

Plain views: authenticate (auth.py), read through queries/render, write through the
services (changes.py), answer in RT's text format (responses.py). A ticket the caller
may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable
from functools import wraps

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from tracker import services
from tracker.api.rest1 import render
from tracker.api.rest1.auth import (
    LoginFailed,
    end_session,
    identify,
    is_cross_site,
    start_session,
)
from tracker.api.rest1.changes import (
    create_from_form,
    edit_from_form,
    new_ticket_form,
)
from tracker.api.rest1.forms import Form, parse_forms, split_values
from tracker.api.rest1.responses import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    SYNTAX_ERROR,
    UNAUTHORIZED,
    comment_response,
    forms_response,
    raw_response,
    rt_response,
)
from tracker.errors import DomainError, NotFound, PermissionDenied
from tracker.models import Ticket, User

View = Callable[..., HttpResponse]
_SPEC = re.compile(r"^([A-Za-z][\w.-]*)/(new|[\d,-]+|[\w@.+-]+)(?:/(.*))?$")
_ID_LIST = re.compile(r"^(?:(?:\d+-)?\d+,)*(?:\d+-)?\d+$")
_MAX_RANGE = 1000
CONTENT_TYPES = ("text/plain", "text/html")


def error_status(error: DomainError) -> str:
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, PermissionDenied):
        return FORBIDDEN
    return BAD_REQUEST


def rest_view(view: View) -> View:
    """Authenticate the caller and turn stray domain errors into RT answers."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD") and is_cross_site(request):
            return comment_response(FORBIDDEN, "Cross-site requests are not accepted.")
        try:
            user, new_session = identify(request)
        except LoginFailed as failure:
            if not failure.basic:
                return rt_response(UNAUTHORIZED)
            response = rt_response(UNAUTHORIZED, http_status=401)
            response["WWW-Authenticate"] = 'Basic realm="tracker REST 1.0"'
            return response
        if user is None:
            return rt_response(UNAUTHORIZED)
        try:
            response = view(request, user, *args, **kwargs)
        except DomainError as error:
            response = comment_response(error_status(error), error.message)
        if new_session:
            start_session(request, response, user)
        return response

    return wrapper


def param(request: HttpRequest, name: str, default: str = "") -> str:
    return request.POST.get(name) or request.GET.get(name) or default


def _fields(request: HttpRequest) -> set[str] | None:
    raw = param(request, "fields")
    if not raw:
        return None
    names = {name.strip().lower() for name in raw.split(",") if name.strip()}
    return names | {"id"}


def expand_ids(text: str) -> list[int]:
    numbers: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        numbers.extend(range(first, min(last, first + _MAX_RANGE) + 1))
        if len(numbers) > _MAX_RANGE:
            raise DomainError(f"At most {_MAX_RANGE} tickets can be shown at once.")
    return numbers


# --- reading ---------------------------------------------------------------------


def render_spec(
    user: User, spec: str, fmt: str, fields: set[str] | None
) -> list[Form] | HttpResponse:
    """The forms (or, for `.../content`, the raw answer) for one object spec."""
    match = _SPEC.match(spec.strip().strip("/"))
    if match is None:
        return [Form(comment=f"# Invalid object specification: '{spec}'")]
    kind, ident, rest = match.group(1), match.group(2), (match.group(3) or "")
    if kind == "user":
        try:
            return [render.user_form(user, ident)]
        except NotFound as error:
            return [Form(comment=f"# {error.message}")]
    if kind != "ticket":
        return [Form(comment=f"# Unknown object type: {kind}")]
    if ident == "new":
        return [new_ticket_form(user)]
    if not _ID_LIST.match(ident):
        return [
            Form(comment="# Objects of type ticket must be specified by numeric id.")
        ]
    forms: list[Form] = []
    for number in expand_ids(ident):
        result = _render_ticket_part(user, number, rest.strip("/"), fmt, fields)
        if isinstance(result, HttpResponse):
            return result
        forms.extend(result)
    return forms


def _render_ticket_part(
    user: User, number: int, rest: str, fmt: str, fields: set[str] | None
) -> list[Form] | HttpResponse:
    try:
        ticket = render.load_ticket(user, number)
    except NotFound:
        return [Form(comment=f"# Ticket {number} does not exist.")]
    parts = rest.split("/") if rest else []
    try:
        if not parts or parts == ["show"]:
            ticket = render.with_form_data(Ticket.objects.filter(pk=ticket.pk)).get()
            return [render.ticket_form(ticket, user, fields)]
        if parts[0] == "history":
            if len(parts) == 3 and parts[1] == "id" and parts[2].isdigit():
                return render.history_long(ticket, user, int(parts[2]))
            if fmt == "l":
                return render.history_long(ticket, user)
            return [render.history_short(ticket, user)]
        if parts == ["attachments"]:
            return [render.attachments_form(ticket, user)]
        if parts[0] == "attachments" and len(parts) in (2, 3) and parts[1].isdigit():
            attachment = render.load_attachment(ticket, user, int(parts[1]))
            if len(parts) == 3 and parts[2] == "content":
                return raw_response(
                    render.attachment_bytes(attachment), attachment.content_type
                )
            if len(parts) == 2:
                return [render.attachment_form(attachment)]
        if parts in (["links"], ["links", "show"]):
            return [render.links_form(ticket)]
    except NotFound as error:
        return [Form(comment=f"# {error.message}")]
    return [Form(comment=f"# Unknown request: ticket/{number}/{rest}")]


def _show(request: HttpRequest, user: User, specs: list[str], fmt: str) -> HttpResponse:
    if not specs:
        return rt_response(BAD_REQUEST, "No objects specified.\n")
    fields = _fields(request)
    forms: list[Form] = []
    for spec in specs:
        result = render_spec(user, spec, fmt, fields)
        if isinstance(result, HttpResponse):
            return result
        forms.extend(form for form in result if not form.is_empty)
    return forms_response(forms)


@rest_view
def show(request: HttpRequest, user: User, kind: str = "") -> HttpResponse:
    """`show` (and `ticket/show`): the objects named by the `id` parameters."""
    specs = request.POST.getlist("id") or request.GET.getlist("id")
    if kind:
        specs = [s if s.startswith(f"{kind}/") else f"{kind}/{s}" for s in specs]
    return _show(request, user, specs, param(request, "format", "s"))


@rest_view
def ticket(
    request: HttpRequest, user: User, number: int, rest: str = ""
) -> HttpResponse:
    """`ticket/N[/show|/history|/attachments...|/links]`; POSTed content edits it."""
    content = param(request, "content")
    if content and rest.strip("/") in ("", "show", "edit"):
        return _edit(request, user, content, default_id=f"ticket/{number}")
    fmt = param(request, "format", "l" if not rest.startswith("history") else "s")
    return _show(request, user, [f"ticket/{number}/{rest}".rstrip("/")], fmt)


@rest_view
def user_show(request: HttpRequest, user: User, name: str) -> HttpResponse:
    return _show(request, user, [f"user/{name}"], "l")


# --- writing ----------------------------------------------------------------------


def _uploads(request: HttpRequest, form: Form) -> list[services.Upload]:
    uploads = []
    for index, name in enumerate(split_values(form.get("Attachment", "")), start=1):
        upload = request.FILES.get(f"attachment_{index}")
        if upload is None:
            raise DomainError(f"No attachment for {name}.")
        filename = os.path.basename(name) or upload.name
        content_type = (
            upload.content_type
            if upload.content_type and upload.content_type != "application/octet-stream"
            else mimetypes.guess_type(filename)[0] or "application/octet-stream"
        )
        uploads.append(services.Upload(filename, content_type, upload.read()))
    return uploads


def _edit(
    request: HttpRequest, user: User, content: str, default_id: str = ""
) -> HttpResponse:
    forms = parse_forms(content)
    if not forms:
        return rt_response(BAD_REQUEST, "No objects specified.\n")
    problems: list[Form] = []
    targets: list[tuple[Form, str, str]] = []
    for form in forms:
        if form.error:
            problems.append(Form("# Syntax error.", form.keys, form.values, form.error))
            continue
        object_id = form.text("id").strip() or default_id
        match = _SPEC.match(object_id)
        if match is None or match.group(1) != "ticket" or match.group(3):
            problems.append(
                Form(f"# Invalid object ID: '{object_id}'", form.keys, form.values)
            )
            continue
        if match.group(2) != "new" and not match.group(2).isdigit():
            problems.append(
                Form(f"# Invalid object ID: '{object_id}'", form.keys, form.values)
            )
            continue
        targets.append((form, match.group(2), object_id))
    if problems:
        return forms_response(
            [Form("# Please resubmit with errors corrected."), *problems], SYNTAX_ERROR
        )
    comments: list[str] = []
    failures: list[Form] = []
    status = OK
    for form, ident, _ in targets:
        if ident == "new":
            outcome = create_from_form(form, user, _uploads(request, form))
        else:
            outcome = edit_from_form(form, user, int(ident))
        text = "\n".join(f"# {line}" for line in outcome.comments)
        if not outcome.failed:
            comments.append(text)
            continue
        echo = outcome.echo
        if echo is not None:
            status = SYNTAX_ERROR
            failures.append(Form(text, echo.keys, echo.values))
        else:
            status = BAD_REQUEST if status == OK else status
            failures.append(Form(text))
    output = [Form("\n".join(comments))] if comments else []
    return forms_response(output + failures, status)


@rest_view
def edit(request: HttpRequest, user: User, kind: str = "") -> HttpResponse:
    """`edit` (and `ticket/edit`): apply each submitted form."""
    return _edit(request, user, param(request, "content"))


@rest_view
def ticket_edit(request: HttpRequest, user: User, number: int) -> HttpResponse:
    content = param(request, "content")
    if not content:
        return rt_response(BAD_REQUEST, "No content submitted.\n")
    return _edit(request, user, content, default_id=f"ticket/{number}")


@rest_view
def ticket_new(request: HttpRequest, user: User) -> HttpResponse:
    """GET: the blank creation form. POST content: create the ticket it describes."""
    content = param(request, "content")
    if not content:
        return forms_response([new_ticket_form(user)])
    return _edit(request, user, content, default_id="ticket/new")


def _single_form(content: str) -> Form | HttpResponse:
    forms = parse_forms(content)
    if not forms or not forms[0].keys:
        return rt_response(BAD_REQUEST, "Empty form submitted.\n")
    if forms[0].error:
        form = forms[0]
        return forms_response(
            [Form("# Syntax error.", form.keys, form.values, form.error)], BAD_REQUEST
        )
    return forms[0]


@rest_view
def ticket_comment(
    request: HttpRequest, user: User, number: int, action: str = ""
) -> HttpResponse:
    """`ticket/N/comment`: a comment or a reply (form field Action), with attachments."""
    form = _single_form(param(request, "content"))
    if isinstance(form, HttpResponse):
        return form
    named = form.text("Ticket").strip()
    if named and named != str(number):
        return rt_response(
            BAD_REQUEST, "The submitted form and URL specify different tickets.\n"
        )
    action = (form.text("Action") or action or "comment").strip().lower()
    if action not in ("comment", "correspond"):
        return rt_response(BAD_REQUEST, f"Invalid action: '{action}'.\n")
    if split_values(form.get("Cc", "")) or split_values(form.get("Bcc", "")):
        return rt_response(BAD_REQUEST, "One-time Cc and Bcc are not supported.\n")
    text = form.text("Text")
    uploads = _uploads(request, form)
    if not text.strip() and not uploads:
        return rt_response(
            BAD_REQUEST, "Empty comment with no attachments submitted.\n"
        )
    try:
        ticket = render.load_ticket(user, number)
    except NotFound:
        return comment_response(NOT_FOUND, f"Ticket {number} does not exist.")
    worked = form.text("TimeWorked").strip()
    if worked and not worked.isdigit():
        return rt_response(BAD_REQUEST, f"Invalid TimeWorked: '{worked}'.\n")
    content_type = form.text("Content-Type").strip().lower() or "text/plain"
    if content_type not in CONTENT_TYPES:
        return rt_response(BAD_REQUEST, f"Invalid Content-Type: '{content_type}'.\n")
    write = services.correspond if action == "correspond" else services.comment
    status = form.text("Status").strip()
    with transaction.atomic():
        write(
            ticket=ticket,
            actor=user,
            body=text,
            content_type=content_type,
            uploads=uploads,
            time_taken=int(worked or 0),
        )
        if status and status.lower() != ticket.status:
            ticket.refresh_from_db()
            services.set_status(ticket=ticket, status=status, actor=user)
    done = "Correspondence added" if action == "correspond" else "Comments added"
    lines = [done] + ([f"Status changed to '{status.lower()}'"] if status else [])
    return comment_response(OK, *lines)


_LINK_NAMES = {
    name.lower(): name
    for name in (
        "DependsOn",
        "DependedOnBy",
        "RefersTo",
        "ReferredToBy",
        "HasMember",
        "MemberOf",
    )
}


def _link_target(user: User, text: str) -> str | int:
    """A visible local ticket's number (also from our own ticket URIs), or a URI."""
    text = text.strip()
    prefix = render.ticket_uri(0)[:-1]
    if text.startswith(prefix) and text[len(prefix) :].isdigit():
        text = text[len(prefix) :]
    if text.isdigit():
        try:
            return render.load_ticket(user, int(text)).pk
        except NotFound:
            raise NotFound(f"Ticket {text} does not exist.") from None
    return text


@rest_view
def ticket_link(request: HttpRequest, user: User) -> HttpResponse:
    """`ticket/link`: add (or with del=1 remove) the link `id rel to`."""
    number, rel, to = param(request, "id"), param(request, "rel"), param(request, "to")
    delete = param(request, "del", "0") not in ("", "0")
    if not number.isdigit():
        return rt_response(BAD_REQUEST, f"Invalid ticket id: '{number}'.\n")
    name = _LINK_NAMES.get(rel.lower())
    if name is None:
        return rt_response(BAD_REQUEST, f"Invalid link: '{rel}'.\n")
    try:
        ticket = render.load_ticket(user, int(number))
    except NotFound:
        return comment_response(NOT_FOUND, f"Ticket {number} does not exist.")
    other = _link_target(user, to)
    change = services.remove_link if delete else services.add_link
    change(ticket=ticket, kind=name, other=other, actor=user)
    verb = "Deleted" if delete else "Created"
    return comment_response(OK, f"{verb} link {ticket.pk} {name} {to}")


@rest_view
def ticket_merge(
    request: HttpRequest, user: User, number: int, into: int
) -> HttpResponse:
    """`ticket/N/merge/M`: merge ticket N into ticket M."""
    tickets = []
    for wanted in (number, into):
        try:
            tickets.append(render.load_ticket(user, wanted))
        except NotFound:
            return comment_response(NOT_FOUND, f"Ticket {wanted} does not exist.")
    source, target = tickets
    services.merge_tickets(source=source, target=target, actor=user)
    return comment_response(OK, f"Merge completed: ticket {number} into ticket {into}.")


@rest_view
def ticket_take(request: HttpRequest, user: User, number: int) -> HttpResponse:
    """`ticket/N/take`: take, untake or steal (form field Action)."""
    form = _single_form(param(request, "content"))
    if isinstance(form, HttpResponse):
        return form
    action = form.text("Action").strip().lower()
    verbs = {"take": services.take, "untake": services.untake, "steal": services.steal}
    if action not in verbs:
        return rt_response(BAD_REQUEST, f"Invalid action: '{action}'.\n")
    try:
        ticket = render.load_ticket(user, number)
    except NotFound:
        return comment_response(NOT_FOUND, f"Ticket {number} does not exist.")
    verbs[action](ticket=ticket, actor=user)
    past = {"take": "taken", "untake": "untaken", "steal": "stolen"}[action]
    return comment_response(OK, f"Ticket {number} {past}.")


# --- search, session ----------------------------------------------------------------


@rest_view
def search_ticket(request: HttpRequest, user: User) -> HttpResponse:
    """`search/ticket?query=...&orderby=[+-]field&format=i|s|l[&fields=...]`."""
    from tracker import ticketsql  # the engine lives in its own package

    query = param(request, "query").strip()
    fields = _fields(request)
    fmt = param(request, "format", "l" if fields else "s")
    if fmt not in ("i", "s", "l"):
        return rt_response(
            BAD_REQUEST, f"Unknown listing format: {fmt}. (Use i, s, or l.)\n"
        )
    orderby = param(request, "orderby", "id").strip() or "id"
    order = "DESC" if orderby.startswith("-") else "ASC"
    orderby = orderby.lstrip("+-") or "id"
    try:
        found = ticketsql.search(user, query, order_by=orderby, order=order)
        tickets = list(render.with_form_data(found) if fmt == "l" or fields else found)
    except ticketsql.TicketSQLError as error:
        return rt_response(BAD_REQUEST, f"Invalid query: '{error.message}'.\n")
    if not tickets:
        return rt_response(OK, "" if fmt == "i" else "No matching results.\n")
    if fmt == "i":
        return rt_response(OK, "".join(f"ticket/{t.pk}\n" for t in tickets))
    if fmt == "s" and not fields:
        return rt_response(OK, "".join(f"{t.pk}: {t.subject}\n" for t in tickets))
    queue_fields: dict = {}
    forms = [render.ticket_form(t, user, fields, queue_fields) for t in tickets]
    if fmt == "l":
        return forms_response(forms)
    rows = ["\t".join(forms[0].keys)]
    for form in forms:
        form.values["id"] = form.text("id").removeprefix("ticket/")
        rows.append("\t".join(form.text(key) for key in forms[0].keys))
    return rt_response(OK, "\n".join(rows) + "\n")


@csrf_exempt
def logout(request: HttpRequest) -> HttpResponse:
    response = rt_response(OK, "Logged out.\n")
    end_session(request, response)
    return response
