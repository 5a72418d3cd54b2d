"""Scrip test helpers: mail settings, a queue with addresses, and people in its roles."""

from __future__ import annotations

import pytest

from tests.factories import STAFF_RIGHTS, grant_many, make_queue, make_staff, make_user
from tracker import services
from tracker.principals import system_user


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.TRACKER_RTNAME = "tracker"
    settings.TRACKER_MAIL_DOMAIN = "tracker.example"
    settings.DEFAULT_FROM_EMAIL = "tracker@tracker.example"
    settings.WEB_BASE_URL = "https://tracker.example"
    settings.SCRIPS_RUN_ON_COMMIT = True


@pytest.fixture
def queue(db):
    return make_queue(
        "Support",
        correspond_address="support@tracker.example",
        comment_address="support-comment@tracker.example",
    )


@pytest.fixture
def staff(queue):
    user = make_staff(username="alice", email="alice@tracker-staff.example")
    grant_many(STAFF_RIGHTS, user=user, queue=queue)
    return user


@pytest.fixture
def admin_cc(queue):
    user = make_staff(username="boss", email="boss@tracker-staff.example")
    grant_many(STAFF_RIGHTS, user=user, queue=queue)
    services.add_queue_watcher(
        queue=queue, role="AdminCc", principal=user, actor=system_user()
    )
    return user


@pytest.fixture
def customer(db):
    return make_user(username="carol", email="carol@customer.example")


@pytest.fixture
def no_default_scrips(db):
    from scrips.models import Scrip

    Scrip.objects.update(is_active=False)


def make_scrip(
    condition,
    action,
    template="Correspondence",
    *,
    queue=None,
    stage="TransactionCreate",
    condition_argument="",
    action_argument="",
):
    from scrips.models import Scrip, ScripQueue

    scrip = Scrip.objects.create(
        description=f"{condition} {action}",
        condition=condition,
        condition_argument=condition_argument,
        action=action,
        action_argument=action_argument,
        template=template,
    )
    ScripQueue.objects.create(scrip=scrip, queue=queue, stage=stage)
    return scrip


def make_template(name, content, *, queue=None):
    from scrips.models import Template

    return Template.objects.create(name=name, content=content, queue=queue)
