"""Templates that try to reach outside their context fail safely."""

from __future__ import annotations

import pytest
from django.core import mail

from queues.models import Queue
from scrips.models import ScripRun
from scrips.rendering import TemplateError, render_template
from tests.factories import make_ticket
from tests.scrips.conftest import make_scrip, make_template

pytestmark = pytest.mark.usefixtures("no_default_scrips")


def _mail_body(queue, capture, body):
    make_template("Probe", "Subject: probe\n\n" + body)
    make_scrip("On Create", "Notify Requestors", "Probe")
    with capture(execute=True):
        make_ticket(queue=queue, requestors=["carol@customer.example"])
    return mail.outbox[0].body if mail.outbox else None


def test_queue_delete_in_a_template_deletes_nothing(
    queue, django_capture_on_commit_callbacks
):
    body = _mail_body(
        queue, django_capture_on_commit_callbacks, "[{{ ticket.queue.delete }}]"
    )
    assert body == "[]"
    assert Queue.objects.filter(pk=queue.pk).exists()


def test_settings_are_not_in_the_context(queue, django_capture_on_commit_callbacks):
    body = _mail_body(
        queue,
        django_capture_on_commit_callbacks,
        "[{{ settings.SECRET_KEY }}][{{ SECRET_KEY }}][{{ request.user }}]",
    )
    assert body == "[][][]"


def test_dunder_lookups_fail_the_scrip_not_the_tracker(
    queue, django_capture_on_commit_callbacks
):
    body = _mail_body(
        queue,
        django_capture_on_commit_callbacks,
        "{{ ticket.subject.__class__.__mro__.1.__subclasses__ }}",
    )
    assert body is None
    run = ScripRun.objects.get()
    assert run.status == "failed"
    assert "underscore" in run.error


def test_context_values_cannot_be_mutated_from_a_template():
    context = {"ticket": {"subject": "Kept"}, "batch": [{"id": 1}]}
    rendered = render_template(
        "Subject: x\n\n{{ ticket.clear }}{{ ticket.popitem }}{{ batch.pop }}"
        "[{{ ticket.subject }}][{{ batch.0.id }}]",
        context,
    )
    assert rendered.body_text == "[Kept][1]"


def test_a_format_string_in_data_fails_the_template_cleanly():
    with pytest.raises(TemplateError):
        render_template(
            "Subject: x\n\n[{{ ticket.subject.format }}]",
            {"ticket": {"subject": "{0.__class__}"}},
        )


@pytest.mark.parametrize(
    "source",
    [
        "{% load log %}",
        "{% debug %}",
        '{% include "admin/base.html" %}',
        '{% extends "base.html" %}',
        "{% url 'admin:index' %}",
        "{{ ticket|pprint }}",
        "{{ ticket._meta }}",
    ],
)
def test_tags_and_filters_that_reach_the_process_are_refused(source):
    with pytest.raises(TemplateError):
        render_template("Subject: x\n\n" + source, {"ticket": {}})
