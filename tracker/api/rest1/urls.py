"""RT 1.0 routes, included under /REST/1.0/."""

from django.urls import path, re_path

from tracker.api.rest1 import views

app_name = "rest1"

urlpatterns = [
    path("logout", views.logout, name="logout"),
    path("show", views.show, name="show"),
    path("edit", views.edit, name="edit"),
    path("ticket/show", views.show, {"kind": "ticket"}, name="ticket-show-many"),
    path("ticket/edit", views.edit, {"kind": "ticket"}, name="ticket-edit-many"),
    path("ticket/new", views.ticket_new, name="ticket-new"),
    path("ticket/link", views.ticket_link, name="ticket-link"),
    path("ticket/<int:number>/edit", views.ticket_edit, name="ticket-edit"),
    path("ticket/<int:number>/comment", views.ticket_comment, name="ticket-comment"),
    path(
        "ticket/<int:number>/correspond",
        views.ticket_comment,
        {"action": "correspond"},
        name="ticket-correspond",
    ),
    path("ticket/<int:number>/take", views.ticket_take, name="ticket-take"),
    path(
        "ticket/<int:number>/merge/<int:into>", views.ticket_merge, name="ticket-merge"
    ),
    path("ticket/<int:number>", views.ticket, name="ticket"),
    re_path(
        r"^ticket/(?P<number>\d+)/(?P<rest>(?:show|history|attachments|links)(?:/[\w/]*)?)$",
        views.ticket,
        name="ticket-part",
    ),
    path("search/ticket", views.search_ticket, name="search-ticket"),
    path("user/<str:name>", views.user_show, name="user"),
    path("user/<str:name>/show", views.user_show, name="user-show"),
]
