"""The rt-mailgate compatible HTTP endpoint (included at the site root)."""

from django.urls import path

from mailgate.views import mail_gateway

urlpatterns = [
    path("REST/1.0/NoAuth/mail-gateway", mail_gateway, name="mail-gateway"),
]
