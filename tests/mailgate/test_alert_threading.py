"""Monitoring alerts threaded by host and service (queue option MAILGATE_ALERT_QUEUES)."""

import pytest

from mailgate.routing import alert_from_subject
from mailgate.services import ingest
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Ticket, TransactionType

NAGIOS = "nagios@monitor.example"


@pytest.mark.parametrize(
    ("subject", "kind", "key"),
    [
        ("** PROBLEM Service Alert: web1/HTTP is CRITICAL **", "PROBLEM", "web1/http"),
        ("** RECOVERY Service Alert: web1/HTTP is OK **", "RECOVERY", "web1/http"),
        ("** PROBLEM Host Alert: web1 is DOWN **", "PROBLEM", "web1"),
        ("[PROBLEM] HTTP on web1 is CRITICAL!", "PROBLEM", "http on web1"),
        ("[RECOVERY] Host web1 is UP!", "RECOVERY", "web1"),
    ],
)
def test_nagios_and_icinga_subjects_give_kind_and_key(subject, kind, key):
    alert = alert_from_subject(subject)
    assert (alert.kind, alert.key) == (kind, key)


@pytest.mark.parametrize(
    "subject", ["Printer on fire", "[URGENT] Server is down!", "[tracker #4] x is y"]
)
def test_ordinary_subjects_are_not_alerts(subject):
    assert alert_from_subject(subject) is None


def alert_mail(subject, n):
    return make_mail(
        sender=NAGIOS,
        subject=subject,
        message_id=f"<alert{n}@monitor.example>",
        body="Additional Info: timeout\n",
        extra="Precedence: bulk",
    )


@pytest.fixture
def alert_queue(settings):
    settings.MAILGATE_ALERT_QUEUES = {"general": {"resolve_on_recovery": True}}


@pytest.mark.django_db
def test_repeated_problem_mails_land_on_one_open_ticket(alert_queue):
    subject = "** PROBLEM Service Alert: web1/HTTP is CRITICAL **"
    first = ingest(raw=alert_mail(subject, 1), queue="General")
    second = ingest(raw=alert_mail(subject, 2), queue="General")
    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_recovery_adds_to_the_ticket_and_resolves_it(alert_queue):
    problem = ingest(
        raw=alert_mail("** PROBLEM Service Alert: web1/HTTP is CRITICAL **", 1),
        queue="General",
    )
    recovery = ingest(
        raw=alert_mail("** RECOVERY Service Alert: web1/HTTP is OK **", 2),
        queue="General",
    )
    ticket = Ticket.objects.get(pk=problem.ticket_id)
    assert recovery.ticket_id == ticket.pk
    assert ticket.status == "resolved"
    assert ticket.transactions.filter(type=TransactionType.CORRESPOND).exists()


@pytest.mark.django_db
def test_problem_after_resolution_opens_a_new_ticket(alert_queue):
    subject = "** PROBLEM Service Alert: web1/HTTP is CRITICAL **"
    first = ingest(raw=alert_mail(subject, 1), queue="General")
    ingest(
        raw=alert_mail("** RECOVERY Service Alert: web1/HTTP is OK **", 2),
        queue="General",
    )
    again = ingest(raw=alert_mail(subject, 3), queue="General")
    assert again.ticket_id != first.ticket_id


@pytest.mark.django_db
def test_other_services_get_their_own_tickets(alert_queue):
    a = ingest(
        raw=alert_mail("** PROBLEM Service Alert: web1/HTTP is CRITICAL **", 1),
        queue="General",
    )
    b = ingest(
        raw=alert_mail("** PROBLEM Service Alert: web2/HTTP is CRITICAL **", 2),
        queue="General",
    )
    assert a.ticket_id != b.ticket_id


@pytest.mark.django_db
def test_recovery_without_the_option_does_not_resolve(settings):
    settings.MAILGATE_ALERT_QUEUES = {"General": {}}
    problem = ingest(
        raw=alert_mail("** PROBLEM Host Alert: web1 is DOWN **", 1), queue="General"
    )
    ingest(raw=alert_mail("** RECOVERY Host Alert: web1 is UP **", 2), queue="General")
    assert Ticket.objects.get(pk=problem.ticket_id).status == "new"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_alerts_are_not_threaded_in_other_queues():
    subject = "** PROBLEM Service Alert: web1/HTTP is CRITICAL **"
    ingest(raw=alert_mail(subject, 1), queue="General")
    ingest(raw=alert_mail(subject, 2), queue="General")
    assert Ticket.objects.count() == 2
