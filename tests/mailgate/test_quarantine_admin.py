"""The inbound mail list in the admin, and replaying from it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from mailgate.models import InboundEmail, InboundStatus
from mailgate.services import ingest
from tests.factories import grant, make_admin, make_queue, make_staff
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Group, GroupDomain, Ticket

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:mailgate_inboundemail_changelist"


@pytest.fixture
def admin_client_(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    # Named, so that another backend listed first cannot decline the session.
    client.force_login(
        make_admin(), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


@pytest.fixture
def rejected():
    queue = make_queue("Closed")
    result = ingest(raw=make_mail(), queue="Closed")
    return queue, InboundEmail.objects.get(pk=result.inbound_id)


def test_quarantine_list_shows_rejected_messages(admin_client_, rejected):
    response = admin_client_.get(reverse(CHANGELIST), {"status__exact": "rejected"})
    assert response.status_code == 200
    assert "Printer on fire" in response.content.decode()


def test_detail_page_shows_reason_and_raw_message(admin_client_, rejected):
    _, inbound = rejected
    url = reverse("admin:mailgate_inboundemail_change", args=[inbound.pk])
    page = admin_client_.get(url).content.decode()
    assert "CreateTicket" in page
    assert "It is on fire." in page


def test_replay_action_processes_once_the_right_is_granted(admin_client_, rejected):
    queue, inbound = rejected
    everyone = Group.objects.get(domain=GroupDomain.SYSTEM, name="Everyone")
    grant("CreateTicket", group=everyone, queue=queue)
    response = admin_client_.post(
        reverse(CHANGELIST),
        {"action": "replay_selected", "_selected_action": [inbound.pk]},
        follow=True,
    )
    assert response.status_code == 200
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
    assert Ticket.objects.filter(pk=inbound.ticket_id, queue=queue).exists()
    assert any("Replayed" in str(m) for m in get_messages(response.wsgi_request))


def test_processed_messages_are_not_replayed(admin_client_):
    result = ingest(raw=make_mail(), queue="General")
    response = admin_client_.post(
        reverse(CHANGELIST),
        {"action": "replay_selected", "_selected_action": [result.inbound_id]},
        follow=True,
    )
    assert Ticket.objects.count() == 1
    assert any("skipped" in str(m) for m in get_messages(response.wsgi_request))


def test_staff_without_superuser_cannot_replay(rejected):
    from mailgate.services import replay
    from tracker.errors import PermissionDenied

    _, inbound = rejected
    with pytest.raises(PermissionDenied):
        replay(inbound=inbound, actor=make_staff())
