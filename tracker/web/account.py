"""The user's own preferences: time zone, language and notification of own actions."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.errors import DomainError
from tracker.services.updates import set_preferences


@cache
def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    notify_own_actions = forms.BooleanField(
        label=gettext_lazy("Send me mail about changes I make myself"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Site default")), *_zones()]
        self.fields["language"].choices = [
            ("", _("Site default")),
            *((code, _(name)) for code, name in settings.LANGUAGES),
        ]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "time_zone": user.time_zone,
        "language": user.language,
        "notify_own_actions": user.notify_own_actions,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                set_preferences(user=user, actor=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Preferences saved."))
                return redirect("preferences")
        else:
            status = 400
    return render(request, "tracker/preferences.html", {"form": form}, status=status)
