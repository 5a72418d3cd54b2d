"""The search page: TicketSQL results within the user's rights, sorting, paging, CSV."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_queue, make_ticket
from tests.web.conftest import count_queries

pytestmark = pytest.mark.django_db


def _search(client, **params):
    return client.get(reverse("ticket-search"), params)


def test_search_page_renders_an_empty_form(client, staff):
    client.force_login(staff)

    response = client.get(reverse("ticket-search"))

    assert response.status_code == 200
    assert b'name="q"' in response.content


def test_search_finds_matching_visible_tickets(client, staff):
    make_ticket(subject="Printer jam")
    make_ticket(subject="Network down")
    make_ticket(queue=make_queue("Secret"), subject="Printer secret")
    client.force_login(staff)

    html = _search(client, q="Subject LIKE 'printer'").content.decode()

    assert "Printer jam" in html
    assert "Network down" not in html
    assert "Printer secret" not in html


def test_bad_query_is_shown_readably(client, staff):
    client.force_login(staff)

    response = _search(client, q="Subject = ")

    assert response.status_code == 400
    assert b'class="notice error"' in response.content


def test_results_are_sorted_by_the_chosen_column(client, staff):
    make_ticket(subject="Bravo")
    make_ticket(subject="Alpha")
    client.force_login(staff)

    html = _search(client, q="", order_by="Subject", order="ASC").content.decode()

    assert html.index("Alpha") < html.index("Bravo")


def test_results_are_paged(client, staff):
    for n in range(30):
        make_ticket(subject=f"Item {n:02d}")
    client.force_login(staff)

    html = _search(
        client, q="", order_by="id", order="ASC", rows=25, page=2
    ).content.decode()

    assert "Item 29" in html
    assert "Item 00" not in html
    assert "Page 2 of 2" in html


def test_search_query_count_does_not_grow_with_results(client, staff):
    make_ticket(subject="Only one")
    client.force_login(staff)
    url = reverse("ticket-search") + "?q="
    few = count_queries(client, url)
    for n in range(40):
        make_ticket(subject=f"More {n}")

    assert count_queries(client, url) == few


def test_csv_export_escapes_formulas(client, staff):
    make_ticket(subject="=HYPERLINK('http://evil')")
    client.force_login(staff)

    response = _search(client, q="", format="csv")

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body


def test_customers_have_no_search_page(client, customer):
    client.force_login(customer)

    assert _search(client, q="").status_code == 404


def test_old_rt_ticket_link_redirects(client):
    response = client.get("/Ticket/Display.html", {"id": "42"})

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket-detail", args=[42])


def test_old_rt_selfservice_link_redirects(client):
    response = client.get("/SelfService/Display.html", {"id": "7"})

    assert response["Location"] == reverse("ticket-detail", args=[7])


def test_old_rt_search_link_redirects(client):
    response = client.get("/Search/Results.html", {"Query": "Status = 'new'"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ticket-search") + "?q=Status")


def _bulk(client, ids, **data):
    data.setdefault("kind", "comment")
    return client.post(reverse("bulk-update"), {"ids": ids, **data})


def test_bulk_update_changes_each_selected_ticket(client, staff):
    first, second = make_ticket(subject="A"), make_ticket(subject="B")
    client.force_login(staff)

    response = _bulk(client, [first.pk, second.pk], status="open", body="Looking")

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("open", "open")
    assert first.transactions.filter(type="Comment").exists()


def test_bulk_update_skips_tickets_the_user_may_not_see(client, staff):
    secret = make_ticket(queue=make_queue("Secret"))
    mine = make_ticket()
    client.force_login(staff)

    _bulk(client, [secret.pk, mine.pk], status="open")

    secret.refresh_from_db()
    mine.refresh_from_db()
    assert secret.status == "new"
    assert mine.status == "open"


def test_bulk_update_needs_the_bulk_right(client, staff):
    from tracker.models import ACE

    ACE.objects.filter(right="ShowSearchBulkUpdate").delete()
    ticket = make_ticket()
    client.force_login(staff)

    response = _bulk(client, [ticket.pk], status="open")

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_bulk_update_without_a_change_is_a_400(client, staff):
    ticket = make_ticket()
    client.force_login(staff)

    assert _bulk(client, [ticket.pk]).status_code == 400


def test_bulk_update_never_redirects_off_site(client, staff):
    ticket = make_ticket()
    client.force_login(staff)

    response = _bulk(client, [ticket.pk], status="open", next="https://evil.example/")

    assert response["Location"] == reverse("ticket-search")


# --- Saved searches ---------------------------------------------------------------------


def _save(client, **data):
    data.setdefault("q", "Status = 'new'")
    data.setdefault("order_by", "id")
    data.setdefault("order", "ASC")
    return client.post(reverse("saved-search-create"), data)


def test_save_a_search_and_find_it_on_the_search_page(client, staff):
    client.force_login(staff)

    response = _save(client, name="New ones")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ticket-search") + "?q=Status")
    assert b"New ones" in client.get(reverse("ticket-search")).content


def test_private_search_is_not_shown_to_others(client, staff):
    from tests.factories import make_staff

    client.force_login(staff)
    _save(client, name="Mine only")
    client.get(reverse("ticket-search"))  # shows (and clears) the "saved" message
    client.force_login(make_staff())

    assert b"Mine only" not in client.get(reverse("ticket-search")).content


def test_search_shared_with_a_group_is_shown_to_its_members(client, staff):
    from tests.factories import make_group, make_staff

    colleague = make_staff()
    team = make_group("Helpdesk", staff, colleague)
    client.force_login(staff)
    _save(client, name="Team queue", group=str(team.pk))
    client.force_login(colleague)

    assert b"Team queue" in client.get(reverse("ticket-search")).content


def test_cannot_share_with_a_group_one_is_not_in(client, staff):
    from tests.factories import make_group

    other = make_group("Strangers")
    client.force_login(staff)

    response = _save(client, name="Sneaky", group=str(other.pk))

    assert response.status_code == 400


def test_only_the_owner_deletes_a_saved_search(client, staff):
    from tests.factories import make_group, make_staff
    from tracker.models import SavedSearch

    colleague = make_staff()
    team = make_group("Helpdesk", staff, colleague)
    client.force_login(staff)
    _save(client, name="Team queue", group=str(team.pk))
    saved = SavedSearch.objects.get(name="Team queue")
    client.force_login(colleague)

    response = client.post(reverse("saved-search-delete", args=[saved.pk]))

    assert response.status_code == 403
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
