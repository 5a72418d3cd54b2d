"""URL map: the admin, accounts, the web UI, the REST API and the mail gateway endpoint."""

from django.contrib import admin
from django.urls import include, path

from tracker.ops.views import export_search, export_ticket, healthz, metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="prometheus-metrics"),
    path("export/tickets.json", export_search, name="export-search"),
    path("export/ticket/<int:pk>.json", export_ticket, name="export-ticket"),
    path("admin/", admin.site.urls),
    # login, logout (POST), password_change, password_reset and their done/confirm pages.
    path("accounts/", include("tracker.twofactor.urls")),  # login with TOTP step
    path("accounts/", include("tracker.web.login_guard")),  # throttled login, reset
    path("accounts/", include("django.contrib.auth.urls")),
    path("REST/2.0/", include("tracker.api.urls")),
    path("REST/1.0/", include("tracker.api.rest1.urls")),
    path("", include("mailgate.urls")),
    path("", include("tracker.web.urls")),
]
