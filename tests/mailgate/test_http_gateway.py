"""The rt-mailgate compatible endpoint, and `mailgate --url` posting to it."""

import pytest

from mailgate.client import encode_multipart, read_answer
from mailgate.models import InboundEmail, InboundStatus
from mailgate.views import form_fields
from tests.factories import make_queue
from tests.mailgate.conftest import gateway_env, run_manage
from tests.mailgate.mailbuilders import make_mail
from tracker.models import Ticket

URL = "/REST/1.0/NoAuth/mail-gateway"


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


def post(http, **fields):
    body, content_type = encode_multipart(fields)
    return http.generic("POST", URL, body, content_type=content_type)


@pytest.mark.django_db
def test_posted_message_makes_a_ticket_and_answers_ok(client):
    response = post(client, queue="General", action="correspond", message=make_mail())
    lines = response.content.decode().splitlines()
    assert response.status_code == 200
    assert lines[0] == "ok"
    ticket = Ticket.objects.get()
    assert f"Ticket: {ticket.pk}" in lines


@pytest.mark.django_db
def test_eight_bit_message_bytes_survive_the_form_encoding(client):
    raw = make_mail(body="").replace(b"utf-8", b"iso-8859-1") + "Café\n".encode(
        "latin-1"
    )
    post(client, queue="General", action="correspond", message=raw)
    assert bytes(InboundEmail.objects.get().raw) == raw


@pytest.mark.django_db
def test_url_encoded_post_is_accepted(client):
    response = client.post(
        URL, {"queue": "general", "action": "comment", "message": make_mail().decode()}
    )
    assert response.content.decode().startswith("ok")


@pytest.mark.django_db
def test_ticket_field_threads_to_that_ticket(client):
    post(client, queue="General", action="correspond", message=make_mail())
    ticket = Ticket.objects.get()
    reply = make_mail(subject="no tag", message_id="<m2@c>")
    post(
        client,
        queue="General",
        action="correspond",
        message=reply,
        ticket=str(ticket.pk),
    )
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.filter(ticket_id=ticket.pk).count() == 2


@pytest.mark.django_db
def test_unknown_queue_is_a_temporary_failure_for_rt_mailgate(client):
    response = post(client, queue="Nope", action="correspond", message=make_mail())
    assert response.content.decode().startswith("temporary failure - 5.1.1")


@pytest.mark.django_db
def test_unknown_queue_is_not_ok_for_our_client(client):
    response = post(
        client,
        queue="Nope",
        action="correspond",
        message=make_mail(),
        client="tracker-mailgate",
    )
    assert response.content.decode().startswith("not ok - 5.1.1")


@pytest.mark.django_db
def test_rejected_sender_answers_not_ok_and_message_is_kept(client):
    make_queue("Closed")
    response = post(client, queue="Closed", action="correspond", message=make_mail())
    assert response.content.decode().startswith("not ok - rejected")
    assert InboundEmail.objects.get().status == InboundStatus.REJECTED


@pytest.mark.django_db
def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_endpoint_can_be_limited_to_mail_hosts(client, settings):
    settings.MAILGATE_HTTP_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    response = post(client, queue="General", message=make_mail())
    assert response.status_code == 403
    assert not InboundEmail.objects.exists()


def test_form_fields_keep_crlf_and_8bit_bytes():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\n\xe9\x00\r\n"
    body, content_type = encode_multipart({"message": raw, "queue": "General"})
    assert form_fields(content_type, body) == {"message": raw, "queue": b"General"}


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("ok\nTicket: 3\n", "ok"),
        ("not ok - Permission denied\n", "not ok"),
        ("temporary failure - db\n", "temporary"),
        ("<html>502 Bad Gateway</html>", "temporary"),
        ("", "temporary"),
    ],
)
def test_read_answer_follows_rt_conventions(text, verdict):
    assert read_answer(text).verdict == verdict


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_url_mode_posts_to_the_endpoint_without_database_access(live_server, tmp_path):
    # The mail host has no database: point DATABASE_URL at nothing to prove it.
    env = gateway_env("postgres://nobody@127.0.0.1:9/none", tmp_path)
    result = run_manage(
        ["mailgate", "--queue", "General", "--url", live_server.url],
        stdin=make_mail(),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert Ticket.objects.count() == 1


def test_url_mode_exits_75_when_the_server_is_unreachable(tmp_path):
    env = gateway_env("postgres://nobody@127.0.0.1:9/none", tmp_path)
    result = run_manage(
        ["mailgate", "--url", "http://127.0.0.1:9"], stdin=make_mail(), env=env
    )
    assert result.returncode == 75
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_url_mode_unknown_queue_exits_67(live_server, tmp_path):
    env = gateway_env("postgres://nobody@127.0.0.1:9/none", tmp_path)
    result = run_manage(
        ["mailgate", "--queue", "Nope", "--url", live_server.url],
        stdin=make_mail(),
        env=env,
    )
    assert result.returncode == 67
    assert result.stderr.decode().startswith("5.1.1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_url_mode_applies_the_ticket_extension(live_server, tmp_path):
    from mailgate.services import ingest

    ticket_id = ingest(raw=make_mail(), queue="General").ticket_id
    env = gateway_env("postgres://nobody@127.0.0.1:9/none", tmp_path)
    env["EXTENSION"] = str(ticket_id)
    result = run_manage(
        ["mailgate", "--extension", "ticket", "--url", live_server.url],
        stdin=make_mail(subject="untagged", message_id="<m2@c>"),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.filter(ticket_id=ticket_id).count() == 2


@pytest.mark.django_db
def test_failed_processing_does_not_leak_the_traceback(client, monkeypatch):
    from tracker import services

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "create_ticket", broken)
    response = post(client, queue="General", message=make_mail())
    text = response.content.decode()
    assert text.startswith("not ok - failed")
    assert "secret" not in text
    assert InboundEmail.objects.get().status == InboundStatus.FAILED
