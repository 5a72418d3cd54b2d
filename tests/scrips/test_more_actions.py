"""Create Linked Tickets, Extract Custom Field Values, Set Due by SLA, and the Notify
variants one by one."""

from __future__ import annotations

import pytest
from django.core import mail

from scrips.actions import extract_domains, extract_ips
from scrips.models import ScripRun
from tests.factories import make_queue, make_ticket
from tests.scrips.conftest import make_scrip, make_template
from tracker import services
from tracker.models import (
    CustomField,
    CustomFieldValue,
    Link,
    QueueCustomField,
    Ticket,
)
from tracker.principals import system_user

pytestmark = pytest.mark.usefixtures("no_default_scrips")

REPORT = """Hello CSIRT,

We see scanning from 198.51.100.7 and 2001:db8::1f, and phishing pages on
evil-login.example.net and cdn.bad.example.org (reported by abuse@isp.example).
Also 10.0.0.300 is not an address, and neither is 12:30:45.
"""


def test_extract_ips_finds_v4_and_v6_and_skips_invalid():
    assert extract_ips(REPORT) == ["198.51.100.7", "2001:db8::1f"]


def test_extract_domains_skips_mail_addresses():
    assert extract_domains(REPORT) == ["evil-login.example.net", "cdn.bad.example.org"]


@pytest.fixture
def ip_fields(queue):
    ip = CustomField.objects.create(name="IP", type="ipaddress", max_values=0)
    domain = CustomField.objects.create(name="Domain", type="freeform", max_values=0)
    for field in (ip, domain):
        QueueCustomField.objects.create(custom_field=field, queue=queue)
    return ip, domain


def _values(ticket, field):
    return sorted(
        CustomFieldValue.objects.filter(ticket=ticket, custom_field=field).values_list(
            "content", flat=True
        )
    )


def test_extract_custom_field_values_fills_ip_and_domain_fields(
    queue, ip_fields, django_capture_on_commit_callbacks
):
    ip, domain = ip_fields
    make_scrip(
        "On Create",
        "Extract Custom Field Values",
        "Blank",
        action_argument="ip=IP; domain=Domain",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(queue=queue, subject="Incident report", body=REPORT)
    assert _values(ticket, ip) == ["198.51.100.7", "2001:db8::1f"]
    assert _values(ticket, domain) == ["cdn.bad.example.org", "evil-login.example.net"]


def test_extract_custom_field_values_keeps_existing_values(
    queue, ip_fields, django_capture_on_commit_callbacks
):
    ip, _ = ip_fields
    make_scrip(
        "On Correspond", "Extract Custom Field Values", "Blank", action_argument="ip=IP"
    )
    ticket = make_ticket(queue=queue, body="nothing here")
    services.set_custom_field(
        ticket=ticket, field=ip, values=["192.0.2.1"], actor=system_user()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(ticket=ticket, actor=system_user(), body="Now 192.0.2.9")
    assert _values(ticket, ip) == ["192.0.2.1", "192.0.2.9"]


def test_extract_custom_field_values_without_fields_fails_its_scrip(
    queue, django_capture_on_commit_callbacks
):
    scrip = make_scrip("On Create", "Extract Custom Field Values", "Blank")
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue, body=REPORT)
    run = ScripRun.objects.get(scrip=scrip)
    assert run.status == "failed"
    assert "ip=" in run.error


def test_create_linked_tickets_creates_a_dependency_from_the_template(
    queue, django_capture_on_commit_callbacks
):
    other = make_queue("Network")
    make_template(
        "Child",
        "Queue: Network\nSubject: Check the router for #{{ ticket.id }}\n\n"
        "Please look at {{ ticket.subject }}.",
    )
    make_scrip("On Create", "Create Linked Tickets", "Child")
    with django_capture_on_commit_callbacks(execute=True):
        parent = make_ticket(queue=queue, subject="Outage")
    child = Ticket.objects.exclude(pk=parent.pk).get()
    assert child.queue == other
    assert child.subject == f"Check the router for #{parent.pk}"
    assert Link.objects.filter(base=parent, target=child, type="DependsOn").exists()


def test_create_linked_tickets_does_not_loop_on_the_new_ticket(
    queue, django_capture_on_commit_callbacks
):
    make_template("Child", "Subject: child\n\nbody")
    make_scrip(
        "On Create", "Create Linked Tickets", "Child", action_argument="RefersTo"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue, subject="Outage")
    assert Ticket.objects.count() == 2


def test_create_linked_tickets_refuses_an_unknown_link(
    queue, django_capture_on_commit_callbacks
):
    make_template("Child", "Subject: child\n\nbody")
    scrip = make_scrip(
        "On Create", "Create Linked Tickets", "Child", action_argument="Eats"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue)
    assert ScripRun.objects.get(scrip=scrip).status == "failed"
    assert Ticket.objects.count() == 1


NOTIFY_CASES = [
    ("Notify Requestors", {"carol@customer.example"}),
    ("Notify Ccs", {"dave@customer.example"}),
    ("Notify Owner", {"alice@tracker-staff.example"}),
    ("Notify AdminCcs", {"boss@tracker-staff.example"}),
    ("Notify Requestors and Ccs", {"carol@customer.example", "dave@customer.example"}),
    (
        "Notify Owner and AdminCcs",
        {"alice@tracker-staff.example", "boss@tracker-staff.example"},
    ),
    (
        "Notify Owner, Requestors, Ccs and AdminCcs",
        {
            "alice@tracker-staff.example",
            "boss@tracker-staff.example",
            "carol@customer.example",
            "dave@customer.example",
        },
    ),
    ("Notify Owner or AdminCcs", {"alice@tracker-staff.example"}),
]


@pytest.mark.parametrize("as_comment", [False, True], ids=["reply", "comment"])
@pytest.mark.parametrize(("action", "expected"), NOTIFY_CASES, ids=lambda v: str(v))
def test_notify_action_mails_its_roles(
    action,
    expected,
    as_comment,
    queue,
    staff,
    admin_cc,
    django_capture_on_commit_callbacks,
):
    name = action + (" as Comment" if as_comment else "")
    make_scrip("On Correspond", name, "Correspondence")
    ticket = make_ticket(
        queue=queue,
        requestors=["carol@customer.example"],
        cc=["dave@customer.example"],
        owner=staff,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.correspond(ticket=ticket, actor=system_user(), body="Update")
    [message] = mail.outbox
    assert set(message.recipients()) == expected
    address = (
        "support-comment@tracker.example" if as_comment else "support@tracker.example"
    )
    assert message.reply_to == [address]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_autoreply_goes_to_the_requestor_who_wrote_in_marked_auto_replied(
    queue, customer, django_capture_on_commit_callbacks
):
    make_scrip("On Create", "Autoreply To Requestors", "Autoreply")
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(queue=queue, actor=None, requestors=[customer])
    [message] = mail.outbox
    assert message.to == ["carol@customer.example"]
    assert message.extra_headers["Auto-Submitted"] == "auto-replied"
