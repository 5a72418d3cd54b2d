"""Autocomplete for people and tickets: small lists of <option>s that htmx puts into a
<datalist> while someone types. Both answer only within the asker's rights."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker import queries
from tracker.models import User

LIMIT = 10
# The inputs that ask: the watcher box, the link box, the owner box, or a plain `term`.
TERM_PARAMS = ("term", "who", "other", "owner")


def _term(request: HttpRequest) -> str:
    for name in TERM_PARAMS:
        value = request.GET.get(name, "").strip()
        if value:
            return value[:100]
    return ""


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """Active, non-system users whose username, e-mail or name contains the term.

    Staff only: customers never learn who else has an account.
    """
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    term = _term(request)
    users = (
        User.objects.filter(is_active=True, is_system=False)
        .filter(
            Q(username__icontains=term)
            | Q(email__icontains=term)
            | Q(real_name__icontains=term)
        )
        .order_by("-is_privileged", "username")
        .only("username", "email", "real_name", "is_privileged")[:LIMIT]
        if len(term) >= 2
        else []
    )
    options = [
        {"value": u.email or u.username, "label": u.real_name or u.username}
        for u in users
    ]
    return render(request, "tracker/partials/options.html", {"options": options})


@login_required
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    """Tickets the user may see whose number or subject matches the term."""
    if not request.user.is_privileged:
        raise Http404(_("No such page."))
    term = _term(request).lstrip("#")
    visible = queries.visible_tickets(request.user)
    if term.isdigit():
        found = visible.filter(Q(pk=int(term)) | Q(subject__icontains=term))
    elif len(term) >= 2:
        found = visible.filter(subject__icontains=term)
    else:
        found = visible.none()
    options = [
        {"value": str(t.pk), "label": f"#{t.pk} {t.subject}"}
        for t in found.order_by("-last_updated").only("id", "subject")[:LIMIT]
    ]
    return render(request, "tracker/partials/options.html", {"options": options})
