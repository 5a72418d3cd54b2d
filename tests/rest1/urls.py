"""The project's routes plus REST 1.0, until tracker/urls.py includes it.

The project's own names are needed too: scrips reverse 'ticket-detail' for the links
in the notifications they send.
"""

from django.urls import include, path

from tracker.urls import urlpatterns as project_patterns

urlpatterns = [
    path("REST/1.0/", include("tracker.api.rest1.urls")),
    *project_patterns,
]
