"""Mail templates: format, sandbox, per-queue overrides."""

from __future__ import annotations

import pytest
from django.core import mail

from scrips.models import ScripRun
from scrips.rendering import TemplateError, render_template
from tests.factories import make_queue, make_ticket
from tests.scrips.conftest import make_scrip, make_template

pytestmark = pytest.mark.usefixtures("no_default_scrips")


def _create(queue, capture):
    with capture(execute=True):
        return make_ticket(
            queue=queue, subject="Laptop", requestors=["carol@customer.example"]
        )


def test_headers_then_blank_line_then_body():
    mail_ = render_template(
        "Subject: Hi {{ name }}\nX-Extra: yes\n\nBody for {{ name }}\n",
        {"name": "Carol"},
    )
    assert mail_.subject == "Hi Carol"
    assert mail_.headers == [("X-Extra", "yes")]
    assert mail_.body_text == "Body for Carol\n"


def test_template_without_headers_is_all_body():
    mail_ = render_template("Just a body\nwith two lines", {})
    assert mail_.subject == ""
    assert mail_.body_text == "Just a body\nwith two lines"


def test_empty_template_sends_nothing():
    assert render_template("  \n", {}) is None


def test_html_template_gets_a_text_alternative():
    mail_ = render_template(
        "Content-Type: text/html\n\n<p>Hello {{ name }}</p>", {"name": "<b>x</b>"}
    )
    assert mail_.body_html == "<p>Hello &lt;b&gt;x&lt;/b&gt;</p>"
    assert mail_.body_text == "Hello <b>x</b>"


def test_template_cannot_use_the_debug_tag():
    with pytest.raises(TemplateError):
        render_template("Subject: x\n\n{% debug %}", {})


def test_template_cannot_load_tag_libraries():
    with pytest.raises(TemplateError):
        render_template("Subject: x\n\n{% load static %}", {})


def test_template_cannot_include_other_templates():
    with pytest.raises(TemplateError):
        render_template('Subject: x\n\n{% include "base.html" %}', {})


def test_template_cannot_reach_private_attributes():
    with pytest.raises(TemplateError):
        render_template("Subject: x\n\n{{ ticket._state }}", {"ticket": {}})


def test_template_context_holds_no_model_instances(
    queue, django_capture_on_commit_callbacks
):
    make_template(
        "Probe",
        "Subject: probe\n\n[{{ ticket.owner.password }}][{{ transaction.actor.password }}]"
        "[{{ ticket.queue.lifecycle }}][{{ transaction.actor.is_superuser }}]",
    )
    make_scrip("On Create", "Notify Requestors", "Probe")
    _create(queue, django_capture_on_commit_callbacks)
    assert mail.outbox[0].body == "[][][][]"


def test_a_broken_template_fails_only_its_scrip(
    queue, django_capture_on_commit_callbacks
):
    make_template("Broken", "Subject: x\n\n{% if %}")
    broken = make_scrip("On Create", "Notify Requestors", "Broken")
    make_scrip("On Create", "Notify Requestors", "Correspondence")
    _create(queue, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    run = ScripRun.objects.get(scrip=broken)
    assert run.status == "failed"
    assert run.error


def test_queue_template_overrides_global_one(queue, django_capture_on_commit_callbacks):
    make_template("Greeting", "Subject: global\n\nGlobal")
    make_template("Greeting", "Subject: for support\n\nQueue", queue=queue)
    make_scrip("On Create", "Notify Requestors", "Greeting")
    ticket = _create(queue, django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == f"[tracker #{ticket.pk}] for support"


def test_global_template_serves_other_queues(queue, django_capture_on_commit_callbacks):
    make_template("Greeting", "Subject: global\n\nGlobal")
    make_template("Greeting", "Subject: for support\n\nQueue", queue=queue)
    make_scrip("On Create", "Notify Requestors", "Greeting")
    ticket = _create(make_queue("Other"), django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == f"[tracker #{ticket.pk}] global"


def test_empty_queue_template_switches_a_notification_off(
    queue, django_capture_on_commit_callbacks
):
    make_template("Greeting", "", queue=queue)
    make_template("Greeting", "Subject: global\n\nGlobal")
    make_scrip("On Create", "Notify Requestors", "Greeting")
    _create(queue, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_template_cc_header_adds_a_recipient(queue, django_capture_on_commit_callbacks):
    make_template("WithCc", "Subject: x\nCc: audit@customer.example\n\nBody")
    make_scrip("On Create", "Notify Requestors", "WithCc")
    _create(queue, django_capture_on_commit_callbacks)
    assert mail.outbox[0].cc == ["audit@customer.example"]


def test_stock_templates_render_the_ticket(queue, django_capture_on_commit_callbacks):
    make_scrip("On Create", "Notify Requestors", "Transaction")
    ticket = _create(queue, django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "Ticket created" in body
    assert f"https://tracker.example/ticket/{ticket.pk}/" in body
    assert "Something is broken." in body


def test_text_templates_are_not_html_escaped():
    mail_ = render_template("Subject: {{ s }}\n\n{{ s }}", {"s": "O'Brien & <Co>"})
    assert mail_.subject == "O'Brien & <Co>"
    assert mail_.body_text == "O'Brien & <Co>"
