import hashlib

import pytest

from mailgate.models import InboundEmail, InboundStatus
from mailgate.services import GatewayMisconfigured, GatewayRefusal, ingest, replay
from queues.models import Queue
from tests.factories import STAFF_RIGHTS, grant, grant_many, make_queue, make_staff
from tests.mailgate.mailbuilders import make_mail, many_parts, nested_multipart
from tracker import services
from tracker.mail import make_message_id
from tracker.models import Attachment, Role, Ticket, TransactionType, User
from tracker.principals import system_user

pytestmark = pytest.mark.django_db


def general():
    return Queue.objects.get(name="General")


def deliver(raw, queue="General", **kwargs):
    return ingest(raw=raw, queue=queue, **kwargs)


def test_new_message_creates_ticket_with_sender_as_requestor():
    result = deliver(make_mail())
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.status == InboundStatus.PROCESSED
    assert ticket.subject == "Printer on fire"
    assert ticket.queue == general()
    requestor = ticket.watchers.get(role=Role.REQUESTOR).user
    assert requestor.email == "alice@customer.example"
    create = ticket.transactions.get(type=TransactionType.CREATE)
    assert create.creator == requestor
    root = create.attachments.get(parent__isnull=True)
    assert root.message_id == "<m1@customer.example>"
    assert "It is on fire." in root.content


def test_unknown_sender_becomes_unprivileged_user():
    deliver(make_mail())
    user = User.objects.get(email="alice@customer.example")
    assert not user.is_privileged
    assert user.real_name == "Alice Customer"


def test_raw_bytes_are_stored_exactly():
    raw = make_mail().replace(b"\n", b"\r\n")
    inbound = InboundEmail.objects.get(pk=deliver(raw).inbound_id)
    assert bytes(inbound.raw) == raw
    assert inbound.sha256 == hashlib.sha256(raw).hexdigest()


def test_redelivered_message_makes_one_ticket():
    first = deliver(make_mail())
    second = deliver(make_mail())
    assert second.status == InboundStatus.DUPLICATE
    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.get(pk=second.inbound_id).duplicate_of_id == (
        first.inbound_id
    )


def test_message_without_message_id_dedupes_on_hash():
    raw = make_mail(message_id=None)
    deliver(raw)
    assert deliver(raw).status == InboundStatus.DUPLICATE
    assert deliver(make_mail(message_id=None, body="other\n")).status == "processed"
    assert Ticket.objects.count() == 2


def test_same_message_to_two_queues_makes_two_tickets():
    make_queue("Security")
    grant(
        "CreateTicket",
        user=None,
        group=_everyone(),
        queue=Queue.objects.get(name="Security"),
    )
    deliver(make_mail())
    deliver(make_mail(), queue="security")
    assert Ticket.objects.count() == 2


def test_queue_name_matches_case_insensitively():
    result = deliver(make_mail(), queue="gEnErAl")
    assert Ticket.objects.get(pk=result.ticket_id).queue == general()


def test_reply_with_subject_tag_adds_correspondence():
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(
        subject=f"Re: [tracker #{ticket_id}] Printer on fire", message_id="<m2@c>"
    )
    result = deliver(reply)
    assert result.ticket_id == ticket_id
    assert Ticket.objects.count() == 1
    types = list(
        Ticket.objects.get(pk=ticket_id).transactions.values_list("type", flat=True)
    )
    assert types == [TransactionType.CREATE, TransactionType.CORRESPOND]


def test_queue_subject_tag_threads():
    queue = general()
    queue.subject_tag = "Helpdesk"
    queue.save()
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(subject=f"RE: [helpdesk #{ticket_id}] x", message_id="<m2@c>")
    assert deliver(reply).ticket_id == ticket_id


def test_foreign_tag_does_not_thread():
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(subject=f"[other.example #{ticket_id}] hi", message_id="<m2@c>")
    assert deliver(reply).ticket_id != ticket_id


def test_reply_with_references_to_our_message_id_threads():
    ticket_id = deliver(make_mail()).ticket_id
    ours = make_message_id(
        ticket_id=ticket_id, transaction_id=1, domain="tracker.example"
    )
    reply = make_mail(
        subject="Re: no tag", message_id="<m2@c>", extra=f"References: <x@y> {ours}"
    )
    assert deliver(reply).ticket_id == ticket_id


def test_in_reply_to_a_stored_customer_message_threads():
    ticket_id = deliver(make_mail()).ticket_id
    follow_up = make_mail(
        subject="also", message_id="<m2@c>", extra="In-Reply-To: <m1@customer.example>"
    )
    assert deliver(follow_up).ticket_id == ticket_id


def test_ticket_extension_threads():
    ticket_id = deliver(make_mail()).ticket_id
    result = deliver(
        make_mail(subject="untagged", message_id="<m2@c>"),
        extension=str(ticket_id),
        extension_mode="ticket",
    )
    assert result.ticket_id == ticket_id


def test_queue_extension_picks_the_queue():
    queue = make_queue("Security")
    grant("CreateTicket", group=_everyone(), queue=queue)
    result = deliver(make_mail(), extension="security", extension_mode="queue")
    assert Ticket.objects.get(pk=result.ticket_id).queue == queue


def test_merged_ticket_number_lands_on_survivor():
    old = deliver(make_mail()).ticket_id
    survivor = deliver(make_mail(message_id="<other@c>", subject="second")).ticket_id
    services.merge_tickets(
        source=Ticket.objects.get(pk=old), target=survivor, actor=system_user()
    )
    reply = make_mail(subject=f"Re: [tracker #{old}] x", message_id="<m3@c>")
    result = deliver(reply)
    assert result.ticket_id == survivor
    assert (
        Ticket.objects.get(pk=survivor)
        .transactions.filter(type=TransactionType.CORRESPOND)
        .exists()
    )


def test_comment_action_adds_comment():
    staff = make_staff(email="agent@tracker.example")
    grant_many(STAFF_RIGHTS, user=staff)
    ticket_id = deliver(make_mail()).ticket_id
    note = make_mail(
        sender="agent@tracker.example",
        subject=f"[tracker #{ticket_id}] note",
        message_id="<c1@t>",
    )
    result = deliver(note, action="comment")
    assert result.status == InboundStatus.PROCESSED
    assert (
        Ticket.objects.get(pk=ticket_id)
        .transactions.filter(type=TransactionType.COMMENT)
        .exists()
    )


def test_stranger_reply_without_rights_is_rejected_and_stored():
    queue = make_queue("Private")
    grant("CreateTicket", group=_everyone(), queue=queue)
    ticket_id = deliver(make_mail(), queue="Private").ticket_id
    stranger = make_mail(
        sender="mallory@evil.example",
        subject=f"Re: [tracker #{ticket_id}] hijack",
        message_id="<evil@e>",
    )
    result = deliver(stranger, queue="Private")
    assert result.status == InboundStatus.REJECTED
    assert "ReplyToTicket" in result.reason
    assert bytes(InboundEmail.objects.get(pk=result.inbound_id).raw) == stranger
    assert (
        not Ticket.objects.get(pk=ticket_id)
        .transactions.filter(type=TransactionType.CORRESPOND)
        .exists()
    )


def test_requestor_reply_is_accepted_without_queue_grant():
    queue = make_queue("Private")
    grant("CreateTicket", group=_everyone(), queue=queue)
    ticket_id = deliver(make_mail(), queue="Private").ticket_id
    reply = make_mail(subject=f"Re: [tracker #{ticket_id}] more", message_id="<m2@c>")
    assert deliver(reply, queue="Private").status == InboundStatus.PROCESSED


def test_sender_without_create_right_is_rejected():
    make_queue("Closed")
    result = deliver(make_mail(), queue="Closed")
    assert result.status == InboundStatus.REJECTED
    assert Ticket.objects.count() == 0
    assert not User.objects.filter(email="alice@customer.example").exists()


def test_reply_to_missing_ticket_is_rejected():
    result = deliver(make_mail(subject="[tracker #999999] hello"))
    assert result.status == InboundStatus.REJECTED
    assert "999999" in result.reason


def test_mail_carrying_our_loop_header_makes_no_ticket():
    raw = make_mail(extra="X-RT-Loop-Prevention: tracker")
    result = deliver(raw)
    assert result.status == InboundStatus.REJECTED
    assert "loop" in result.reason
    assert Ticket.objects.count() == 0


def test_auto_generated_mail_is_recorded_and_flagged():
    result = deliver(make_mail(extra="Auto-Submitted: auto-replied"))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    root = Attachment.objects.get(transaction__ticket=ticket, parent__isnull=True)
    assert "RT-DetectedAutoGenerated: true" in root.headers
    assert "RT-Squelch-Replies-To: alice@customer.example" in root.headers


def test_auto_generated_reply_is_flagged_on_the_transaction():
    ticket_id = deliver(make_mail()).ticket_id
    bounce = make_mail(
        subject=f"Re: [tracker #{ticket_id}] out of office",
        message_id="<oof@c>",
        extra="Auto-Submitted: auto-replied",
    )
    deliver(bounce)
    txn = Ticket.objects.get(pk=ticket_id).transactions.get(
        type=TransactionType.CORRESPOND
    )
    assert txn.data["auto_generated"] is True


def test_client_supplied_control_headers_are_stripped():
    raw = make_mail(
        extra="RT-Send-Bcc: spy@evil.example\nRT-DetectedAutoGenerated: false"
    )
    ticket_id = deliver(raw).ticket_id
    root = Attachment.objects.get(transaction__ticket_id=ticket_id, parent__isnull=True)
    assert "spy@evil.example" not in root.headers
    assert "RT-DetectedAutoGenerated" not in root.headers
    assert "X-RT-Interface: Email" in root.headers


def test_auto_reply_storm_stops_creating_tickets(settings):
    settings.MAILGATE_AUTO_TICKETS_PER_HOUR = 3
    results = [
        deliver(
            make_mail(
                sender="robot@other.example",
                message_id=f"<auto{i}@o>",
                extra="Auto-Submitted: auto-replied",
            )
        )
        for i in range(6)
    ]
    assert Ticket.objects.count() == 3
    assert [r.status for r in results[3:]] == [InboundStatus.REJECTED] * 3


def test_unparseable_message_is_quarantined_with_raw_bytes():
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 50
    result = deliver(raw)
    inbound = InboundEmail.objects.get(pk=result.inbound_id)
    assert result.status == InboundStatus.QUARANTINED
    assert bytes(inbound.raw) == raw
    assert inbound.reason


def test_unexpected_error_is_stored_as_failed_with_traceback(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "create_ticket", broken)
    result = deliver(make_mail())
    inbound = InboundEmail.objects.get(pk=result.inbound_id)
    assert inbound.status == InboundStatus.FAILED
    assert "RuntimeError: boom" in inbound.reason
    assert Ticket.objects.count() == 0


def test_unknown_queue_is_refused_with_5_1_1():
    with pytest.raises(GatewayRefusal) as refusal:
        deliver(make_mail(), queue="Nope")
    assert refusal.value.code == 67
    assert refusal.value.message.startswith("5.1.1")
    assert InboundEmail.objects.count() == 0


def test_disabled_queue_is_refused():
    make_queue("Old", is_active=False)
    with pytest.raises(GatewayRefusal) as refusal:
        deliver(make_mail(), queue="Old")
    assert refusal.value.code == 67


def test_too_large_message_is_refused_with_5_3_4(settings):
    settings.MAILGATE_MAX_MESSAGE_SIZE = 100
    with pytest.raises(GatewayRefusal) as refusal:
        deliver(make_mail(body="x" * 200))
    assert refusal.value.code == 65
    assert refusal.value.message.startswith("5.3.4")


def test_invalid_action_is_a_configuration_error():
    with pytest.raises(GatewayMisconfigured):
        deliver(make_mail(), action="correspond-frobnicate")


def test_correspond_resolve_resolves_the_ticket():
    staff = make_staff(email="agent@tracker.example")
    grant_many(STAFF_RIGHTS, user=staff)
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(
        sender="agent@tracker.example",
        subject=f"[tracker #{ticket_id}] fixed",
        message_id="<r@t>",
    )
    result = deliver(reply, action="correspond-resolve")
    assert result.reason == ""
    assert Ticket.objects.get(pk=ticket_id).status == "resolved"


def test_take_action_makes_the_sender_owner():
    staff = make_staff(email="agent@tracker.example")
    grant_many(STAFF_RIGHTS, user=staff)
    ticket_id = deliver(make_mail()).ticket_id
    mine = make_mail(
        sender="agent@tracker.example",
        subject=f"[tracker #{ticket_id}] mine",
        message_id="<t@t>",
    )
    deliver(mine, action="take-comment")
    assert Ticket.objects.get(pk=ticket_id).owner == staff


def test_failed_resolve_keeps_the_message_and_notes_why():
    ticket_id = deliver(make_mail()).ticket_id
    reply = make_mail(subject=f"[tracker #{ticket_id}] done?", message_id="<r@c>")
    result = deliver(reply, action="correspond-resolve")
    assert result.status == InboundStatus.PROCESSED
    assert "resolve failed" in result.reason
    assert Ticket.objects.get(pk=ticket_id).status == "new"


def test_replay_processes_a_rejected_message_once_the_right_is_granted():
    queue = make_queue("Closed")
    result = deliver(make_mail(), queue="Closed")
    grant("CreateTicket", group=_everyone(), queue=queue)
    replayed = replay(
        inbound=InboundEmail.objects.get(pk=result.inbound_id), actor=system_user()
    )
    assert replayed.status == InboundStatus.PROCESSED
    assert Ticket.objects.filter(pk=replayed.ticket_id, queue=queue).exists()


def _everyone():
    from tracker.models import Group, GroupDomain

    return Group.objects.get(domain=GroupDomain.SYSTEM, name="Everyone")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failing_after_commit_hook_does_not_undo_a_stored_message(monkeypatch):
    from django.db import transaction

    def explode():
        raise RuntimeError("scrips exploded")

    create = services.create_ticket

    def create_and_register_hook(**kwargs):
        transaction.on_commit(explode)
        return create(**kwargs)

    monkeypatch.setattr(services, "create_ticket", create_and_register_hook)
    result = deliver(make_mail())
    assert result.status == InboundStatus.PROCESSED
    assert Ticket.objects.filter(pk=result.ticket_id).exists()


def _encoded_word_subject(size):
    word = "=?utf-8?b?" + "w6k=" + "?="
    return (" ".join([word] * (size // len(word)))).encode()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (nested_multipart(1000), InboundStatus.QUARANTINED),
        (many_parts(5000), InboundStatus.QUARANTINED),
        (
            b"From: a@b.example\nX-Big: " + b"a" * (3 * 1024 * 1024) + b"\n\nbody\n",
            InboundStatus.QUARANTINED,
        ),
        (
            b"From: a@b.example\nSubject: "
            + _encoded_word_subject(1024 * 1024)
            + b"\n\nx\n",
            InboundStatus.QUARANTINED,
        ),
        (
            b"From: a@b.example\nSubject: "
            + _encoded_word_subject(300 * 1024)
            + b"\n\nx\n",
            InboundStatus.PROCESSED,
        ),
        (
            b"From: a@b.example\nSubject: a\rBcc: x@evil.example\x00\nTo: \x00\r\n\nbody\x00\n",
            InboundStatus.PROCESSED,
        ),
    ],
    ids=[
        "nested-1000",
        "parts-5000",
        "header-3MB",
        "encoded-subject-1MB",
        "encoded-subject-300KB",
        "nul-cr-lf",
    ],
)
def test_hostile_mime_is_stored_within_the_time_and_memory_budget(raw, status):
    import time
    import tracemalloc

    tracemalloc.start()
    start = time.monotonic()
    try:
        result = deliver(raw)
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 20
    # Python-level allocations: a few copies of the message at most, never a blow-up.
    assert peak < 64 * 1024 * 1024 + 8 * len(raw)
    assert result.status == status
    assert bytes(InboundEmail.objects.get(pk=result.inbound_id).raw) == raw
