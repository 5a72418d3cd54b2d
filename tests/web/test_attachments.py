"""Attachment downloads: always a download, never sniffed, only for those who may read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import grant, make_queue, make_staff, make_ticket
from tracker import services
from tracker.models import Attachment
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


def _attach(
    ticket,
    *,
    filename="report.txt",
    content_type="text/plain",
    data=b"hello",
    comment=False,
):
    add = services.comment if comment else services.correspond
    txn = add(
        ticket=ticket,
        actor=system_user(),
        body="See attached.",
        uploads=[services.Upload(filename, content_type, data)],
    )
    return Attachment.objects.get(transaction=txn, filename=filename)


def _url(ticket, attachment):
    return reverse("attachment-download", args=[ticket.pk, attachment.pk])


def test_download_is_an_attachment_with_nosniff(client, staff, ticket):
    attachment = _attach(ticket)
    client.force_login(staff)

    response = client.get(_url(ticket, attachment))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="report.txt"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"hello"


def test_html_attachment_is_served_as_opaque_bytes(client, staff, ticket):
    attachment = _attach(
        ticket,
        filename="resume.html",
        content_type="text/html",
        data=b"<script>x</script>",
    )
    client.force_login(staff)

    response = client.get(_url(ticket, attachment))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_history_links_to_the_download(client, staff, ticket):
    attachment = _attach(ticket)
    client.force_login(staff)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert _url(ticket, attachment) in html


def test_user_without_show_ticket_gets_404(client, ticket):
    attachment = _attach(ticket)
    outsider = make_staff()
    client.force_login(outsider)

    assert client.get(_url(ticket, attachment)).status_code == 404


def test_comment_attachment_needs_show_ticket_comments(client, general, ticket):
    attachment = _attach(ticket, comment=True)
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=general)
    client.force_login(viewer)

    assert client.get(_url(ticket, attachment)).status_code == 404


def test_attachment_of_another_ticket_is_not_reachable_through_this_one(
    client, staff, ticket
):
    secret = make_ticket(queue=make_queue("Secret"), subject="Hidden")
    attachment = _attach(secret)
    client.force_login(staff)

    assert client.get(_url(ticket, attachment)).status_code == 404
    assert client.get(_url(secret, attachment)).status_code == 404


def test_customer_cannot_download_staff_comment_files(client, customer, ticket):
    attachment = _attach(ticket, comment=True)
    client.force_login(customer)

    assert client.get(_url(ticket, attachment)).status_code == 404


def test_customer_downloads_files_of_their_ticket(client, customer, ticket):
    attachment = _attach(ticket)
    client.force_login(customer)

    assert client.get(_url(ticket, attachment)).status_code == 200
