"""The code step of the web login and the staff page that enables or disables TOTP.

Code guesses are throttled with the login guard's limits and window, counted under a
key of their own: a correct password clears the password count, and must not reset
the count of wrong codes.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from tracker.errors import DomainError
from tracker.models import User
from tracker.twofactor import services
from tracker.twofactor.backends import mark_password_step
from tracker.twofactor.forms import CodeForm
from tracker.twofactor.models import TOTPDevice
from tracker.web.login_guard import (
    LOCKED_MESSAGE,
    GuardedLoginView,
    client_address,
    is_locked,
    record_failure,
    record_success,
)

PENDING = "twofactor_pending"
# Time allowed between a correct password and the code.
PENDING_SECONDS = 5 * 60
BAD_CODE = "That code is not valid. Each code works once, within its 30 seconds."


def _guard_name(user: User) -> str:
    # NUL cannot appear in a username, so this key never meets a password count.
    return f"\0totp:{user.pk}"


def _check_code(
    request: HttpRequest, user: User, form: CodeForm, check: Any
) -> tuple[bool, int]:
    """Run `check(code)` under the guard: (accepted, HTTP status for a refusal)."""
    name, address = _guard_name(user), client_address(request)
    if is_locked(name, address):
        form.add_error(None, _(LOCKED_MESSAGE))
        return False, 429
    if check(form.cleaned_data["code"]):
        record_success(name, address)
        return True, 200
    record_failure(name, address)
    form.add_error("code", _(BAD_CODE))
    return False, 200


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(GuardedLoginView):
    """The password step; users with TOTP enabled go on to the code step."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        mark_password_step(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not services.is_enabled(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()
        session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("two-factor-login")


@never_cache
@sensitive_post_parameters("code")
def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    user = None
    if pending and time.time() - pending["since"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        accepted, status = _check_code(
            request,
            user,
            form,
            lambda code: services.verify_code(user=user, code=code),
        )
        if accepted:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            return HttpResponseRedirect(pending["next"])
    return render(
        request, "registration/two_factor_login.html", {"form": form}, status=status
    )


@never_cache
@login_required
@sensitive_post_parameters("code")
def manage(request: HttpRequest) -> HttpResponse:
    """Set up (secret, then a code to confirm) or disable (a code) the second factor."""
    user = request.user
    if not services.may_enrol(user):
        raise Http404
    form = CodeForm(request.POST or None)
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "start":
        try:
            services.start_enrolment(user=user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("two-factor")
    if (
        request.method == "POST"
        and action in ("confirm", "disable")
        and form.is_valid()
    ):
        service = (
            services.confirm_enrolment if action == "confirm" else services.disable
        )
        accepted, status = _check_code(
            request, user, form, lambda code: service(user=user, code=code)
        )
        if accepted:
            messages.success(
                request,
                _("Two-factor authentication is on.")
                if action == "confirm"
                else _("Two-factor authentication is off."),
            )
            return redirect("two-factor")
    device = TOTPDevice.objects.filter(user=user).first()
    context = {
        "form": form,
        "device": device,
        "uri": services.provisioning_uri(device) if device else "",
        "api_note_url": reverse("auth-tokens"),
    }
    return render(request, "registration/two_factor.html", context, status=status)
