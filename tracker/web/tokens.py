"""The user's own REST auth tokens in the web UI: list, create (secret shown once), revoke."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.errors import ValidationFailed
from tracker.services import tokens as token_services


class TokenForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=token_services.MAX_DESCRIPTION,
        help_text=gettext_lazy("What uses the token, e.g. “backup script on nas1”."),
    )
    expires = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _expiry(day: object) -> datetime | None:
    """The end of the chosen day (exclusive), in the current time zone."""
    if day is None:
        return None
    start = datetime.combine(day, time.min)  # type: ignore[arg-type]
    return timezone.make_aware(start) + timezone.timedelta(days=1)


@login_required
def auth_tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST creates one (`description`) or revokes one (`revoke`).

    A DomainError (no ManageAuthTokens, another user's token) is left to
    DomainErrorMiddleware, which answers with its status.
    """
    user = request.user
    form = TokenForm(request.POST if "description" in request.POST else None)
    secret = None
    status = 200
    if request.method == "POST" and "revoke" in request.POST:
        raw = request.POST["revoke"]
        pk = int(raw) if raw.isdigit() and len(raw) < 19 else 0
        token = token_services.get_token_for(actor=user, pk=pk)
        token_services.revoke_token(token=token, actor=user)
        messages.success(request, _("Token “%s” revoked.") % token.description)
        return redirect("auth-tokens")
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = token_services.create_token(
                    user=user,
                    actor=user,
                    description=form.cleaned_data["description"],
                    expires=_expiry(form.cleaned_data["expires"]),
                )
            except ValidationFailed as error:
                form.add_error(None, error.message)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    tokens = token_services.tokens_of(user=user, actor=user)
    return render(
        request,
        "tracker/tokens.html",
        {"form": form, "tokens": tokens, "secret": secret},
        status=status,
    )
