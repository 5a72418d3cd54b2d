"""Web UI routes (staff pages and self-service share them; views pick the template)."""

from django.urls import path

from tracker.web import (
    account,
    autocomplete,
    create,
    dashboards,
    home,
    metrics,
    search,
    tickets,
    updates,
)
from tracker.web import tokens as tokens_page

urlpatterns = [
    path("", home.home, name="home"),
    path("people/<int:user_id>/tickets/", home.person_tickets, name="person-tickets"),
    path("preferences/", account.preferences, name="preferences"),
    path("preferences/tokens/", tokens_page.auth_tokens, name="auth-tokens"),
    path("metrics/", metrics.metrics_page, name="metrics"),
    path("metrics.json", metrics.metrics_json, name="metrics-json"),
    path("dashboards/", dashboards.dashboard_list, name="dashboard-list"),
    path("dashboards/new/", dashboards.dashboard_create, name="dashboard-create"),
    path("dashboards/<int:pk>/", dashboards.dashboard_detail, name="dashboard-detail"),
    path(
        "dashboards/<int:pk>/delete/",
        dashboards.dashboard_delete,
        name="dashboard-delete",
    ),
    path(
        "dashboards/<int:pk>/items/",
        dashboards.dashboard_item_add,
        name="dashboard-item-add",
    ),
    path(
        "dashboards/<int:pk>/items/<int:item_id>/remove/",
        dashboards.dashboard_item_remove,
        name="dashboard-item-remove",
    ),
    path(
        "dashboards/<int:pk>/items/<int:item_id>/move/",
        dashboards.dashboard_item_move,
        name="dashboard-item-move",
    ),
    path("autocomplete/people/", autocomplete.people, name="autocomplete-people"),
    path("autocomplete/tickets/", autocomplete.tickets, name="autocomplete-tickets"),
    path("search/", search.ticket_search, name="ticket-search"),
    path("search/bulk/", search.bulk_update, name="bulk-update"),
    path("search/saved/", search.saved_search_create, name="saved-search-create"),
    path(
        "search/saved/<int:pk>/delete/",
        search.saved_search_delete,
        name="saved-search-delete",
    ),
    path("ticket/new/", create.ticket_create, name="ticket-create"),
    path("ticket/<int:pk>/", tickets.ticket_detail, name="ticket-detail"),
    path("ticket/<int:pk>/changed/", tickets.ticket_changed, name="ticket-changed"),
    path("ticket/<int:pk>/history/", tickets.ticket_history, name="ticket-history"),
    path(
        "ticket/<int:pk>/attachment/<int:attachment_id>/",
        tickets.attachment_download,
        name="attachment-download",
    ),
    path("ticket/<int:pk>/update/", updates.ticket_update, name="ticket-update"),
    path("ticket/<int:pk>/action/", updates.ticket_action, name="ticket-action"),
    path("ticket/<int:pk>/basics/", updates.ticket_basics, name="ticket-basics"),
    path("ticket/<int:pk>/people/add/", updates.watcher_add, name="watcher-add"),
    path(
        "ticket/<int:pk>/people/remove/", updates.watcher_remove, name="watcher-remove"
    ),
    path("ticket/<int:pk>/links/add/", updates.link_add, name="link-add"),
    path("ticket/<int:pk>/links/remove/", updates.link_remove, name="link-remove"),
    path(
        "ticket/<int:pk>/customfield/<int:field_id>/",
        updates.custom_field_set,
        name="custom-field-set",
    ),
    path("ticket/<int:pk>/merge/", updates.ticket_merge, name="ticket-merge"),
    # RT's well-known addresses, so links in old mails and wiki pages keep working.
    path("Ticket/Display.html", search.rt_ticket_display),
    path("SelfService/Display.html", search.rt_ticket_display),
    path("Search/Results.html", search.rt_search_results),
]
