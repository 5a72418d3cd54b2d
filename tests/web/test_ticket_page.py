"""The staff ticket page: history rendering, labels, sanitising, paging and query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import grant, make_queue, make_staff, make_ticket
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import CustomField, QueueCustomField
from tracker.models.links import Link, LinkType
from tracker.principals import nobody, system_user

pytestmark = pytest.mark.django_db


def _busy_history(ticket, staff, rounds):
    """Replies with files, comments, owner and status changes, field edits."""
    actor = system_user()
    for n in range(rounds):
        services.correspond(
            ticket=ticket,
            actor=actor,
            body=f"Reply {n}",
            uploads=[services.Upload(f"log{n}.txt", "text/plain", b"x")],
        )
        services.comment(ticket=ticket, actor=actor, body=f"Note {n}")
        services.set_owner(ticket=ticket, owner=staff, actor=actor)
        services.set_owner(ticket=ticket, owner=nobody(), actor=actor)
        services.set_fields(ticket=ticket, actor=actor, priority=n + 1)
        services.set_status(
            ticket=ticket, status="open" if n % 2 == 0 else "stalled", actor=actor
        )


def test_ticket_page_queries_do_not_grow_with_history(client, staff):
    short = make_ticket(subject="Short")
    long = make_ticket(subject="Long")
    _busy_history(short, staff, 1)  # 1 + 6 transactions
    _busy_history(long, staff, 10)  # 1 + 60 transactions
    client.force_login(staff)

    assert count_queries(client, long.get_absolute_url()) == count_queries(
        client, short.get_absolute_url()
    )


def test_replies_and_comments_are_rendered_differently(client, staff, ticket):
    services.correspond(ticket=ticket, actor=system_user(), body="Public answer")
    services.comment(ticket=ticket, actor=system_user(), body="Internal note")
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert 'class="entry reply"' in html
    assert 'class="entry comment"' in html
    assert "Comment (not sent to requestors)" in html


def test_comments_hidden_without_show_ticket_comments(client, general, ticket):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=general)
    services.comment(ticket=ticket, actor=system_user(), body="Internal note")
    client.force_login(viewer)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Internal note" not in html
    assert "Smoke everywhere." in html


def test_owner_change_is_shown_with_names_not_ids(client, staff, ticket):
    services.set_owner(ticket=ticket, owner=staff, actor=system_user())
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Owner changed from Nobody in particular to Sam Staff" in html


def test_take_is_shown_as_taken(client, staff, ticket):
    services.take(ticket=ticket, actor=staff)
    client.force_login(staff)

    assert "Taken" in client.get(ticket.get_absolute_url()).content.decode()


def test_queue_move_is_shown_with_queue_names(client, staff, ticket):
    other = make_queue("Hardware")
    grant("CreateTicket", user=staff, queue=other)
    grant("ShowTicket", user=staff, queue=other)
    services.move_ticket(ticket=ticket, queue=other, actor=staff)
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Queue changed from General to Hardware" in html


def test_status_change_is_a_short_line(client, staff, ticket):
    services.set_status(ticket=ticket, status="open", actor=staff)
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Status changed from new to open" in html


def test_html_mail_is_sanitized_and_has_a_plain_text_view(client, staff, ticket):
    services.correspond(
        ticket=ticket,
        actor=system_user(),
        content_type="text/html",
        body=(
            "<p>Hello <b>there</b></p><script>alert(1)</script>"
            '<img src="https://tracker.example/pixel.gif" onerror="alert(2)">'
            '<a href="javascript:alert(3)">click</a>'
        ),
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "<b>there</b>" in html
    assert "alert(1)" not in html
    assert "pixel.gif" not in html
    assert "javascript:" not in html
    assert "Plain text" in html


def test_quoted_text_is_folded(client, staff, ticket):
    services.correspond(
        ticket=ticket,
        actor=system_user(),
        body="Thanks, done.\n\nOn Monday you wrote:\n> old line one\n> old line two",
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert (
        '<details class="quote"><summary>Quoted text</summary><pre>&gt; old line one'
        in html
    )


def test_subject_and_body_are_escaped(client, staff):
    evil = make_ticket(
        subject="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>"
    )
    client.force_login(staff)

    html = client.get(evil.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_long_history_is_paged_and_opens_on_the_latest_page(client, staff, ticket):
    for n in range(60):
        services.correspond(
            ticket=ticket, actor=system_user(), body=f"Update number {n}."
        )
    client.force_login(staff)

    latest = client.get(ticket.get_absolute_url()).content.decode()
    first = client.get(ticket.get_absolute_url() + "?page=1").content.decode()

    assert "Update number 59." in latest
    assert "Smoke everywhere." not in latest
    assert "Smoke everywhere." in first
    assert "Page 1 of 2" in first


def test_people_are_listed_with_links_to_their_tickets(client, staff, ticket, customer):
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Carla C" in html
    assert reverse("person-tickets", args=[customer.pk]) in html


def test_linked_ticket_subject_hidden_when_not_visible(client, staff, ticket):
    secret = make_ticket(queue=make_queue("Secret"), subject="Top secret thing")
    services.add_link(
        ticket=ticket, kind="DependsOn", other=secret, actor=system_user()
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert f"#{secret.pk}" in html
    assert "Top secret thing" not in html


def test_linked_ticket_subject_shown_when_visible(client, staff, ticket):
    other = make_ticket(subject="Order a new printer")
    services.add_link(ticket=ticket, kind="RefersTo", other=other, actor=system_user())
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "Refers to" in html
    assert "Order a new printer" in html


def _severity(general):
    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=general)
    return field


def test_custom_fields_need_see_custom_field(client, staff, general, ticket):
    field = _severity(general)
    services.set_custom_field(
        ticket=ticket, field=field, values=["High"], actor=system_user()
    )
    client.force_login(staff)

    assert b"Severity" not in client.get(ticket.get_absolute_url()).content
    grant("SeeCustomField", user=staff, queue=general)
    assert b"High" in client.get(ticket.get_absolute_url()).content


def test_merged_number_redirects_to_the_survivor(client, staff, ticket):
    other = make_ticket(subject="Duplicate")
    services.merge_tickets(source=other, target=ticket, actor=system_user())
    client.force_login(staff)

    response = client.get(reverse("ticket-detail", args=[other.pk]))

    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()


def test_changed_poll_is_empty_while_unchanged(client, staff, ticket):
    client.force_login(staff)
    url = reverse("ticket-changed", args=[ticket.pk])

    response = client.get(url, {"since": ticket.last_updated.isoformat()})

    assert response.status_code == 204


def test_changed_poll_warns_after_someone_else_updates(client, staff, ticket):
    loaded = ticket.last_updated.isoformat()
    services.correspond(ticket=ticket, actor=system_user(), body="Meanwhile")
    client.force_login(staff)

    response = client.get(
        reverse("ticket-changed", args=[ticket.pk]), {"since": loaded}
    )

    assert response.status_code == 200
    assert b"changed this ticket after you opened it" in response.content


def test_javascript_link_uri_is_not_clickable(client, staff, ticket):
    # The services refuse such links; one may still come from an import of old data.
    Link.objects.create(
        type=LinkType.REFERS_TO,
        base=ticket,
        target_uri="javascript:alert(1)",
        creator=system_user(),
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


def test_web_link_uri_is_clickable(client, staff, ticket):
    services.add_link(
        ticket=ticket,
        kind="RefersTo",
        other="https://wiki.example/printers",
        actor=system_user(),
    )
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert 'href="https://wiki.example/printers"' in html
