"""Who receives a notification, and in which header (rt-semantics 6.2)."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories import (
    STAFF_RIGHTS,
    grant_many,
    make_group,
    make_staff,
    make_ticket,
    make_user,
)
from tests.scrips.conftest import make_scrip
from tracker import services
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")

EVERYONE = "Notify Owner, Requestors, Ccs and AdminCcs"


@pytest.fixture
def replier(queue):
    user = make_staff(username="eve", email="eve@tracker-staff.example")
    grant_many(STAFF_RIGHTS, user=user, queue=queue)
    return user


def _ticket(queue, **kwargs):
    kwargs.setdefault("requestors", ["carol@customer.example"])
    return make_ticket(queue=queue, subject="Help", **kwargs)


def _reply(ticket, actor, capture, **kwargs):
    with capture(execute=True):
        services.correspond(ticket=ticket, actor=actor, body="Working on it.", **kwargs)
    assert len(mail.outbox) <= 1
    return mail.outbox[0] if mail.outbox else None


def test_requestors_go_to_ccs_to_cc_owner_and_admin_ccs_to_bcc(
    queue, staff, admin_cc, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", EVERYONE)
    ticket = _ticket(queue, cc=["dave@customer.example"], owner=staff)
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["carol@customer.example"]
    assert message.cc == ["dave@customer.example"]
    assert sorted(message.bcc) == [
        "alice@tracker-staff.example",
        "boss@tracker-staff.example",
    ]


def test_owner_is_to_when_there_is_no_requestor_recipient(
    queue, staff, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Owner")
    ticket = _ticket(queue, owner=staff)
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["alice@tracker-staff.example"]
    assert message.bcc == []


def test_ccs_are_promoted_to_to_without_requestors(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Ccs")
    ticket = _ticket(queue, cc=["dave@customer.example"])
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["dave@customer.example"]


def test_actor_is_not_sent_their_own_update(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors")
    ticket = _ticket(queue, requestors=[customer])
    assert _reply(ticket, customer, django_capture_on_commit_callbacks) is None


def test_actor_who_asked_for_own_updates_gets_them(
    queue, customer, django_capture_on_commit_callbacks
):
    customer.notify_own_actions = True
    customer.save()
    make_scrip("On Correspond", "Notify Requestors")
    ticket = _ticket(queue, requestors=[customer])
    message = _reply(ticket, customer, django_capture_on_commit_callbacks)
    assert message.to == ["carol@customer.example"]


def test_disabled_users_are_not_notified(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors")
    gone = make_user(email="gone@customer.example")
    ticket = _ticket(queue, requestors=[gone, "carol@customer.example"])
    gone.is_active = False
    gone.save()
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["carol@customer.example"]


def test_our_own_queue_addresses_are_never_mailed(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors")
    ticket = _ticket(
        queue, requestors=["support@tracker.example", "carol@customer.example"]
    )
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["carol@customer.example"]


def test_group_watchers_are_expanded_recursively(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify AdminCcs")
    inner = make_group("inner", make_user(email="deep@tracker-staff.example"))
    outer = make_group("outer", make_user(email="top@tracker-staff.example"), inner)
    services.add_queue_watcher(
        queue=queue, role="AdminCc", principal=outer, actor=system_user()
    )
    ticket = _ticket(queue)
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert sorted(message.bcc) == [
        "deep@tracker-staff.example",
        "top@tracker-staff.example",
    ]


def test_queue_ccs_join_ticket_ccs(queue, replier, django_capture_on_commit_callbacks):
    make_scrip("On Correspond", "Notify Requestors and Ccs")
    services.add_queue_watcher(
        queue=queue,
        role="Cc",
        principal="watcher@customer.example",
        actor=system_user(),
    )
    ticket = _ticket(queue, cc=["dave@customer.example"])
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert sorted(message.cc) == ["dave@customer.example", "watcher@customer.example"]


def test_an_address_is_mailed_once_even_in_two_roles(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", EVERYONE)
    ticket = _ticket(queue, cc=["carol@customer.example"])
    message = _reply(ticket, replier, django_capture_on_commit_callbacks)
    assert message.to == ["carol@customer.example"]
    assert message.cc == []


def test_nobody_to_notify_sends_nothing(
    queue, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Owner")
    ticket = _ticket(queue)
    assert _reply(ticket, replier, django_capture_on_commit_callbacks) is None


def _mime(extra_headers):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "carol@customer.example"
    message["Subject"] = "Out of office"
    for name, value in extra_headers.items():
        message[name] = value
    message.set_content("I am away.")
    return message


def test_squelched_address_gets_no_autoreply(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Create", "Autoreply To Requestors", "Autoreply")
    mime = _mime({"RT-Squelch-Replies-To": "carol@customer.example"})
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue, requestors=[customer], mime=mime)
    assert mail.outbox == []


def test_auto_generated_mail_is_not_answered(
    queue, customer, replier, django_capture_on_commit_callbacks
):
    make_scrip("On Correspond", "Notify Requestors and Ccs", "Correspondence")
    ticket = _ticket(queue, requestors=[customer])
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(
            ticket=ticket,
            actor=customer,
            mime=_mime({"RT-DetectedAutoGenerated": "true"}),
            data={"auto_generated": True},
        )
    assert mail.outbox == []


def test_squelch_leaves_other_recipients_alone(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Create", "Notify Requestors and Ccs", "Correspondence")
    mime = _mime({"RT-Squelch-Replies-To": "carol@customer.example"})
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(
            queue=queue, requestors=[customer], cc=["dave@customer.example"], mime=mime
        )
    [message] = mail.outbox
    assert message.recipients() == ["dave@customer.example"]
