"""Included under accounts/ ahead of the login guard's and Django's own account URLs."""

from django.urls import path

from tracker.twofactor import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="two-factor-login"),
    path("two-factor/", views.manage, name="two-factor"),
]
