"""REST 1.0 ticket endpoints through Django's test client: format, codes and rights."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import grant, grant_many, make_ticket, make_user
from tests.rest1.conftest import basic
from tracker import services
from tracker.models import Link, LinkType, Ticket, Transaction

pytestmark = pytest.mark.urls("tests.rest1.urls")


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_show_lists_the_fields_in_rt_order(as_staff, ticket):
    body = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/show"))
    assert body.startswith(
        f"RT/5.0.3 200 Ok\n\nid: ticket/{ticket.pk}\nQueue: Support\n"
    )
    keys = [line.split(":")[0] for line in body.splitlines()[2:] if line]
    assert keys == [
        "id", "Queue", "Owner", "Creator", "Subject", "Status", "Priority",
        "InitialPriority", "FinalPriority", "Requestors", "Cc", "AdminCc", "Created",
        "Starts", "Started", "Due", "Resolved", "Told", "LastUpdated", "TimeEstimated",
        "TimeWorked", "TimeLeft",
    ]  # fmt: skip
    assert "Requestors: bob@example.org\n" in body
    assert "Due: Not set\n" in body


def test_fields_parameter_keeps_only_those_fields(as_staff, ticket):
    body = text(
        as_staff.get(f"/REST/1.0/ticket/{ticket.pk}", {"fields": "Subject,status"})
    )
    assert (
        body
        == f"RT/5.0.3 200 Ok\n\nid: ticket/{ticket.pk}\nSubject: Printer on fire\nStatus: new\n\n"
    )


def test_a_ticket_you_may_not_see_answers_like_a_missing_one(as_outsider, ticket):
    hidden = text(as_outsider.get(f"/REST/1.0/ticket/{ticket.pk}/show"))
    missing = text(as_outsider.get("/REST/1.0/ticket/999999/show"))
    assert hidden == f"RT/5.0.3 200 Ok\n\n# Ticket {ticket.pk} does not exist.\n\n"
    assert missing == hidden.replace(str(ticket.pk), "999999")


def test_show_endpoint_takes_several_ids_and_ranges(as_staff, ticket, queue):
    other = make_ticket(queue=queue, subject="Second")
    body = text(
        as_staff.post(
            "/REST/1.0/show",
            {"id": [f"ticket/{ticket.pk}-{other.pk}"], "fields": "subject"},
        )
    )
    assert body.count("\n--\n") == 1
    assert "Subject: Printer on fire" in body
    assert "Subject: Second" in body


def test_new_ticket_form_offers_defaults(as_staff):
    body = text(as_staff.get("/REST/1.0/ticket/new"))
    assert body.startswith(
        "RT/5.0.3 200 Ok\n\n# Required: id, Queue\n\nid: ticket/new\n"
    )
    assert "Requestor: alice\n" in body


def test_create_from_a_form(as_staff, queue):
    content = (
        "id: ticket/new\nQueue: Support\nSubject: VPN down\nRequestor: carol@example.org\n"
        "Priority: 4\nDue: 2030-01-02 10:00\nText: It broke\n      at noon.\n"
    )
    body = text(as_staff.post("/REST/1.0/ticket/new", {"content": content}))
    ticket = Ticket.objects.get(subject="VPN down")
    assert body == f"RT/5.0.3 200 Ok\n\n# Ticket {ticket.pk} created.\n\n"
    assert ticket.priority == 4
    assert ticket.due.year == 2030
    assert ticket.transactions.get(type="Create").attachments.get().content == (
        "It broke\nat noon."
    )


def test_create_with_an_unknown_field_is_refused_and_echoed(as_staff, queue):
    content = "id: ticket/new\nQueue: Support\nSubject: x\nColour: red\n"
    body = text(as_staff.post("/REST/1.0/edit", {"content": content}))
    assert body.startswith("RT/5.0.3 409 Syntax Error\n\n# Could not create ticket.\n")
    assert "# Colour: Unknown field\n" in body
    assert "Colour: red\n" in body
    assert not Ticket.objects.filter(subject="x").exists()


def test_create_without_the_right_is_refused(as_outsider, queue):
    content = "id: ticket/new\nQueue: Support\nSubject: sneaky\n"
    body = text(as_outsider.post("/REST/1.0/edit", {"content": content}))
    assert "409 Syntax Error" in body
    assert "Permission denied" in body
    assert not Ticket.objects.filter(subject="sneaky").exists()


def test_edit_applies_every_field(as_staff, staff, ticket):
    content = (
        f"id: ticket/{ticket.pk}\nStatus: open\nOwner: alice\nPriority: 9\n"
        "Requestors: bob@example.org, carol@example.org\nTimeWorked: 15 minutes\n"
    )
    body = text(
        as_staff.post(f"/REST/1.0/ticket/{ticket.pk}/edit", {"content": content})
    )
    assert body == f"RT/5.0.3 200 Ok\n\n# Ticket {ticket.pk} updated.\n\n"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.priority, ticket.time_worked) == (
        "open",
        staff,
        9,
        15,
    )
    emails = set(ticket.watchers.values_list("user__email", flat=True))
    assert emails == {"bob@example.org", "carol@example.org"}


def test_edit_is_all_or_nothing_and_reports_every_problem(as_staff, ticket):
    content = f"id: ticket/{ticket.pk}\nPriority: 3\nStatus: bogus\nColour: red\n"
    body = text(as_staff.post("/REST/1.0/edit", {"content": content}))
    assert body.startswith("RT/5.0.3 409 Syntax Error\n\n")
    assert "# Status: 'bogus' isn't a valid status for this ticket.\n" in body
    assert "# Colour: Unknown field.\n" in body
    ticket.refresh_from_db()
    assert ticket.priority == 0


def test_edit_of_an_invisible_ticket_answers_like_a_missing_one(as_outsider, ticket):
    content = f"id: ticket/{ticket.pk}\nStatus: open\n"
    body = text(as_outsider.post("/REST/1.0/edit", {"content": content}))
    assert (
        body == f"RT/5.0.3 400 Bad Request\n\n# Ticket {ticket.pk} does not exist.\n\n"
    )


def test_edit_without_modify_right_is_denied(client, queue, ticket):
    viewer = make_user(privileged=True, username="viewer")
    viewer.set_password("secret")
    viewer.save()
    grant_many(["ShowTicket", "SeeQueue"], user=viewer, queue=queue)
    content = f"id: ticket/{ticket.pk}\nPriority: 5\n"
    body = text(client.post("/REST/1.0/edit", {"content": content}, **basic(viewer)))
    assert "# Priority: Permission denied" in body
    ticket.refresh_from_db()
    assert ticket.priority == 0


def test_custom_fields_are_shown_and_edited(as_staff, ticket, queue):
    from tracker.models import CustomField, QueueCustomField

    field = CustomField.objects.create(name="Severity", type="freeform")
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    content = f"id: ticket/{ticket.pk}\nCF.{{Severity}}: high\n"
    assert "updated" in text(as_staff.post("/REST/1.0/edit", {"content": content}))
    body = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/show"))
    assert "CF.{Severity}: high\n" in body


def test_syntax_error_in_a_form_is_409(as_staff, ticket):
    content = f"id: ticket/{ticket.pk}\nthis line is wrong\n"
    body = text(as_staff.post("/REST/1.0/edit", {"content": content}))
    assert body.startswith(
        "RT/5.0.3 409 Syntax Error\n\n# Please resubmit with errors corrected."
    )
    assert ">> this line is wrong" in body


def comment_form(number, action, text_, attachment=""):
    return (
        f"Ticket: {number}\nAction: {action}\nCc:\nBcc:\nAttachment: {attachment}\n"
        f"TimeWorked: 5\nContent-Type: text/plain\nText: {text_}\n"
    )


def test_comment_with_an_attachment(as_staff, ticket):
    upload = SimpleUploadedFile("trace.log", b"boom\n", content_type="text/plain")
    body = text(
        as_staff.post(
            f"/REST/1.0/ticket/{ticket.pk}/comment",
            {
                "content": comment_form(
                    ticket.pk, "comment", "See log", "logs/trace.log"
                ),
                "attachment_1": upload,
            },
        )
    )
    assert body == "RT/5.0.3 200 Ok\n\n# Comments added\n"
    txn = Transaction.objects.get(ticket=ticket, type="Comment")
    assert txn.time_taken == 5
    assert [a.filename for a in txn.attachments.all() if a.filename] == ["trace.log"]


def test_correspond_can_change_status(as_staff, ticket):
    body = text(
        as_staff.post(
            f"/REST/1.0/ticket/{ticket.pk}/comment",
            {
                "content": comment_form(ticket.pk, "correspond", "Fixed")
                + "Status: resolved\n"
            },
        )
    )
    assert "# Correspondence added\n" in body
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_comment_on_an_invisible_ticket_is_404(as_outsider, ticket):
    body = text(
        as_outsider.post(
            f"/REST/1.0/ticket/{ticket.pk}/comment",
            {"content": comment_form(ticket.pk, "comment", "hi")},
        )
    )
    assert (
        body
        == f"RT/5.0.3 404 Ticket not found\n\n# Ticket {ticket.pk} does not exist.\n"
    )


def test_empty_comment_is_refused(as_staff, ticket):
    body = text(
        as_staff.post(
            f"/REST/1.0/ticket/{ticket.pk}/comment",
            {"content": comment_form(ticket.pk, "comment", "")},
        )
    )
    assert body.startswith("RT/5.0.3 400 Bad Request")


def test_history_short_and_long(as_staff, staff, ticket):
    services.comment(ticket=ticket, actor=staff, body="internal note")
    short = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/history"))
    lines = short.splitlines()
    assert lines[2] == "# 2/2 (/total)"
    assert lines[4].endswith(": Ticket created by RT_System")
    assert lines[5].endswith(": Comments added by alice")
    long = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/history", {"format": "l"}))
    assert long.count("\n--\n") == 1
    assert "Type: Comment\n" in long
    assert "Content: internal note\n" in long
    comment_id = Transaction.objects.get(ticket=ticket, type="Comment").pk
    one = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/history/id/{comment_id}"))
    assert one.startswith(f"RT/5.0.3 200 Ok\n\nid: {comment_id}\nTicket: {ticket.pk}\n")


def test_history_hides_comments_without_show_ticket_comments(
    client, queue, staff, ticket
):
    services.comment(ticket=ticket, actor=staff, body="internal note")
    viewer = make_user(privileged=True, username="viewer")
    viewer.set_password("secret")
    viewer.save()
    grant("ShowTicket", user=viewer, queue=queue)
    long = text(
        client.get(
            f"/REST/1.0/ticket/{ticket.pk}/history", {"format": "l"}, **basic(viewer)
        )
    )
    assert "internal note" not in long
    comment_id = Transaction.objects.get(ticket=ticket, type="Comment").pk
    one = text(
        client.get(
            f"/REST/1.0/ticket/{ticket.pk}/history/id/{comment_id}", **basic(viewer)
        )
    )
    assert one == (
        f"RT/5.0.3 200 Ok\n\n# Transaction {comment_id} is not related to ticket {ticket.pk}.\n\n"
    )


def test_attachments_listing_show_and_content(as_staff, staff, ticket):
    services.correspond(
        ticket=ticket,
        actor=staff,
        body="picture attached",
        uploads=[services.Upload("dot.png", "image/png", b"\x89PNG\r\n")],
    )
    listing = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/attachments"))
    assert f"id: ticket/{ticket.pk}/attachments\n" in listing
    png = next(line for line in listing.splitlines() if "dot.png" in line)
    assert "(image/png / 6b)" in png
    number = png.split(":")[-2].split()[-1]
    shown = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/attachments/{number}"))
    assert "Filename: dot.png\n" in shown
    raw = as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/attachments/{number}/content")
    assert raw["Content-Type"] == "image/png"
    assert raw.content == b"RT/5.0.3 200 Ok\n\n\x89PNG\r\n\n"


def test_attachment_of_another_ticket_is_not_reachable(as_staff, staff, ticket, queue):
    other = make_ticket(queue=queue, body="secret body")
    foreign = other.transactions.get(type="Create").attachments.get().pk
    body = text(as_staff.get(f"/REST/1.0/ticket/{ticket.pk}/attachments/{foreign}"))
    assert f"# Invalid attachment id: {foreign}" in body


def test_link_show_add_and_delete(as_staff, ticket, queue):
    other = make_ticket(queue=queue)
    body = text(
        as_staff.post(
            "/REST/1.0/ticket/link",
            {"id": ticket.pk, "rel": "dependson", "to": other.pk, "del": 0},
        )
    )
    assert (
        body == f"RT/5.0.3 200 Ok\n\n# Created link {ticket.pk} DependsOn {other.pk}\n"
    )
    links = text(as_staff.get(f"/REST/1.0/ticket/{other.pk}/links/show"))
    assert f"DependedOnBy: fsck.com-rt://tracker/ticket/{ticket.pk}\n" in links
    as_staff.post(
        "/REST/1.0/ticket/link",
        {"id": ticket.pk, "rel": "DependsOn", "to": other.pk, "del": 1},
    )
    assert not Link.objects.filter(type=LinkType.DEPENDS_ON).exists()


def test_link_to_an_invisible_ticket_answers_like_a_missing_one(as_staff, ticket):
    hidden = make_ticket(queue=None, subject="other queue")
    body = text(
        as_staff.post(
            "/REST/1.0/ticket/link",
            {"id": ticket.pk, "rel": "RefersTo", "to": hidden.pk},
        )
    )
    assert (
        body
        == f"RT/5.0.3 404 Ticket not found\n\n# Ticket {hidden.pk} does not exist.\n"
    )


def test_merge(as_staff, ticket, queue):
    other = make_ticket(queue=queue)
    body = text(as_staff.post(f"/REST/1.0/ticket/{ticket.pk}/merge/{other.pk}"))
    assert body.startswith("RT/5.0.3 200 Ok\n\n# Merge completed")
    ticket.refresh_from_db()
    assert ticket.merged_into_id == other.pk


def test_merge_into_an_invisible_ticket_is_404(as_staff, ticket):
    hidden = make_ticket(queue=None)
    body = text(as_staff.post(f"/REST/1.0/ticket/{ticket.pk}/merge/{hidden.pk}"))
    assert (
        body
        == f"RT/5.0.3 404 Ticket not found\n\n# Ticket {hidden.pk} does not exist.\n"
    )


def test_take(as_staff, staff, ticket):
    body = text(
        as_staff.post(
            f"/REST/1.0/ticket/{ticket.pk}/take",
            {"content": f"Ticket: {ticket.pk}\nAction: take\n"},
        )
    )
    assert body == f"RT/5.0.3 200 Ok\n\n# Ticket {ticket.pk} taken.\n"
    ticket.refresh_from_db()
    assert ticket.owner == staff


def test_user_show(as_staff, outsider):
    body = text(as_staff.get("/REST/1.0/user/mallory"))
    assert f"id: user/{outsider.pk}\nName: mallory\n" in body
    assert "EmailAddress: mallory@example.org\n" in body


def test_unprivileged_users_see_only_themselves(client, staff):
    customer = make_user(username="cust")
    customer.set_password("secret")
    customer.save()
    assert "Name: cust" in text(client.get("/REST/1.0/user/cust", **basic(customer)))
    other = text(client.get("/REST/1.0/user/alice", **basic(customer)))
    assert other == "RT/5.0.3 200 Ok\n\n# User alice does not exist.\n\n"


def test_cross_site_browser_posts_are_refused(as_staff, ticket):
    content = f"id: ticket/{ticket.pk}\nPriority: 7\n"
    body = text(
        as_staff.post(
            "/REST/1.0/edit", {"content": content}, HTTP_ORIGIN="https://evil.example"
        )
    )
    assert (
        body
        == "RT/5.0.3 403 Permission denied\n\n# Cross-site requests are not accepted.\n"
    )
    ticket.refresh_from_db()
    assert ticket.priority == 0


def test_comment_content_type_must_be_text(as_staff, ticket):
    form = comment_form(ticket.pk, "comment", "hi").replace(
        "text/plain", "image/svg+xml"
    )
    body = text(
        as_staff.post(f"/REST/1.0/ticket/{ticket.pk}/comment", {"content": form})
    )
    assert body.startswith("RT/5.0.3 400 Bad Request\n\nInvalid Content-Type")


def test_too_many_tickets_at_once_is_refused(as_staff, ticket):
    body = text(as_staff.post("/REST/1.0/show", {"id": "ticket/1-5000,6000-9000"}))
    assert "At most 1000 tickets" in body
