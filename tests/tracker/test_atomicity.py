"""Nothing is half-written when a service fails, and failures are readable DomainErrors."""

from __future__ import annotations

import pytest

from lifecycles import registry
from lifecycles.models import Lifecycle
from tests.factories import (
    STAFF_RIGHTS,
    grant,
    grant_many,
    make_queue,
    make_staff,
    make_ticket,
    make_user,
)
from tracker import services
from tracker.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tracker.models import (
    Attachment,
    CustomField,
    CustomFieldValue,
    Link,
    QueueCustomField,
    Ticket,
    TicketWatcher,
    Transaction,
    User,
)
from tracker.services import Upload

pytestmark = pytest.mark.django_db

WATCHED_MODELS = (
    Ticket,
    TicketWatcher,
    Transaction,
    Attachment,
    User,
    CustomFieldValue,
    Link,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED_MODELS}


@pytest.fixture
def queue():
    return make_queue("Helpdesk")


@pytest.fixture
def staff(queue):
    user = make_staff()
    grant_many(
        [*STAFF_RIGHTS, "ModifyCustomField", "DeleteTicket"], user=user, queue=queue
    )
    return user


@pytest.fixture
def ticket(queue):
    return make_ticket(queue=queue, requestors=[make_user()])


@pytest.fixture
def severity(queue):
    field = CustomField.objects.create(name="Severity", type="number")
    QueueCustomField.objects.create(custom_field=field, queue=queue)
    return field


# --- create_ticket ----------------------------------------------------------------------


def test_create_with_an_invalid_custom_field_value_writes_nothing(
    queue, staff, severity
):
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ticket(
            queue=queue,
            actor=staff,
            subject="Disk full",
            body="On db1.",
            requestors=["first.contact@example.org"],
            cc=["second.contact@example.org"],
            custom_fields={"Severity": "very"},
        )

    assert (
        excinfo.value.message == "'very' is not a valid value for 'Severity' (Number)."
    )
    assert counts() == before
    assert not User.objects.filter(email="first.contact@example.org").exists()


def test_create_with_a_field_not_in_the_queue_writes_nothing(queue, staff):
    CustomField.objects.create(name="Circuit", type="freeform")
    before = counts()

    with pytest.raises(DomainError):
        services.create_ticket(
            queue=queue,
            actor=staff,
            subject="S",
            requestors=["someone.new@example.org"],
            custom_fields={"Circuit": "C-1"},
        )

    assert counts() == before


def test_create_with_an_invalid_requestor_address_writes_nothing(queue, staff):
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ticket(
            queue=queue,
            actor=staff,
            subject="S",
            requestors=["good@example.org", "bad@@example"],
        )

    assert excinfo.value.message == "'bad@@example' is not a valid email address."
    assert counts() == before


def test_create_with_an_owner_who_may_not_own_writes_nothing(queue, staff):
    customer = make_user()
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ticket(queue=queue, actor=staff, subject="S", owner=customer)

    assert (
        excinfo.value.message == f"{customer} may not own tickets in queue 'Helpdesk'."
    )
    assert counts() == before


def test_create_without_create_ticket_is_denied_before_writing(queue):
    outsider = make_user()
    before = counts()

    with pytest.raises(PermissionDenied) as excinfo:
        services.create_ticket(
            queue=queue, actor=outsider, subject="S", requestors=["x@example.org"]
        )

    assert excinfo.value.message == "Permission denied: you need CreateTicket for this."
    assert counts() == before


def test_create_in_a_disabled_queue_is_refused(staff):
    closed = make_queue("Closed", is_active=False)
    grant("CreateTicket", user=staff, queue=closed)
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ticket(queue=closed, actor=staff, subject="S")

    assert excinfo.value.message == "Queue 'Closed' is disabled."
    assert counts() == before


# --- Attachments over the size limit ----------------------------------------------------


def test_create_with_an_upload_over_the_limit_writes_nothing(queue, staff, settings):
    settings.TRACKER_MAX_ATTACHMENT_SIZE = 10
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ticket(
            queue=queue,
            actor=staff,
            subject="Dump",
            body="Attached.",
            requestors=["new.person@example.org"],
            uploads=[
                Upload("ok.txt", "text/plain", b"0123456789"),
                Upload("core.dump", "application/octet-stream", b"x" * 11),
            ],
        )

    assert excinfo.value.message == (
        "Attachment 'core.dump' is 11 bytes; the limit is 10 bytes."
    )
    assert counts() == before


def test_reply_with_an_upload_over_the_limit_writes_nothing(ticket, staff, settings):
    settings.TRACKER_MAX_ATTACHMENT_SIZE = 10
    before = counts()

    with pytest.raises(ValidationFailed):
        services.correspond(
            ticket=ticket,
            actor=staff,
            body="Here is the dump.",
            time_taken=30,
            uploads=[Upload("core.dump", "application/octet-stream", b"x" * 11)],
        )

    assert counts() == before
    reloaded = Ticket.objects.get(pk=ticket.pk)
    assert (reloaded.time_worked, reloaded.told) == (0, None)


def test_upload_exactly_at_the_limit_is_accepted(ticket, staff, settings):
    settings.TRACKER_MAX_ATTACHMENT_SIZE = 10

    txn = services.comment(
        ticket=ticket,
        actor=staff,
        body="Log attached.",
        uploads=[Upload("ten.txt", "text/plain", b"0123456789")],
    )

    assert txn.attachments.filter(filename="ten.txt").get().size == 10


# --- Status, fields, messages -----------------------------------------------------------


def test_denied_status_change_leaves_status_and_history_unchanged(queue, ticket):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=queue)
    before = counts()

    with pytest.raises(PermissionDenied):
        services.set_status(ticket=ticket, status="open", actor=viewer)

    reloaded = Ticket.objects.get(pk=ticket.pk)
    assert (reloaded.status, reloaded.started) == ("new", None)
    assert counts() == before


def test_blocked_resolution_leaves_status_and_history_unchanged(queue, ticket, staff):
    blocker = make_ticket(queue=queue)
    services.add_link(ticket=ticket, kind="DependsOn", other=blocker, actor=staff)
    before = counts()

    with pytest.raises(InvalidTransition):
        services.set_status(ticket=ticket, status="resolved", actor=staff)

    reloaded = Ticket.objects.get(pk=ticket.pk)
    assert (reloaded.status, reloaded.resolved) == ("new", None)
    assert counts() == before


def test_set_fields_with_one_bad_value_changes_nothing(ticket, staff):
    subject = ticket.subject
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.set_fields(
            ticket=ticket, actor=staff, subject="Better subject", priority="high"
        )

    assert excinfo.value.message == "Priority must be a whole number."
    assert Ticket.objects.get(pk=ticket.pk).subject == subject
    assert counts() == before


def test_set_fields_refuses_read_only_fields(ticket, staff):
    with pytest.raises(ValidationFailed) as excinfo:
        services.set_fields(ticket=ticket, actor=staff, status="open", creator=staff)

    assert excinfo.value.message == "Unknown or read-only field(s): creator, status."


def test_negative_time_worked_is_refused(ticket, staff):
    with pytest.raises(ValidationFailed) as excinfo:
        services.set_fields(ticket=ticket, actor=staff, time_worked=-5)

    assert excinfo.value.message == "TimeWorked cannot be negative."


def test_empty_reply_is_refused_and_writes_nothing(ticket, staff):
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.correspond(ticket=ticket, actor=staff, body="   ", time_taken=5)

    assert excinfo.value.message == "The message is empty."
    assert counts() == before
    assert Ticket.objects.get(pk=ticket.pk).time_worked == 0


def test_reply_without_reply_right_is_denied_and_writes_nothing(queue, ticket):
    viewer = make_staff()
    grant("ShowTicket", user=viewer, queue=queue)
    before = counts()

    with pytest.raises(PermissionDenied) as excinfo:
        services.correspond(ticket=ticket, actor=viewer, body="Hi")

    assert excinfo.value.message == (
        "Permission denied: you need ReplyToTicket or ModifyTicket for this."
    )
    assert counts() == before


# --- Links and merge --------------------------------------------------------------------


def test_refused_merge_leaves_both_tickets_intact(queue, ticket, staff):
    elsewhere = make_ticket(queue=make_queue("Network"), requestors=[make_user()])
    services.set_fields(ticket=ticket, actor=staff, time_worked=20)
    before = counts()
    watchers_before = set(
        TicketWatcher.objects.values_list("ticket_id", "role", "user_id")
    )

    with pytest.raises(NotFound):  # the target is invisible to staff: same as missing
        services.merge_tickets(source=ticket, target=elsewhere, actor=staff)

    source, target = (Ticket.objects.get(pk=t.pk) for t in (ticket, elsewhere))
    assert (source.merged_into_id, target.merged_into_id) == (None, None)
    assert (source.time_worked, target.time_worked) == (20, 0)
    assert set(TicketWatcher.objects.values_list("ticket_id", "role", "user_id")) == (
        watchers_before
    )
    assert counts() == before


def test_link_denied_on_the_far_end_writes_nothing(ticket, staff):
    far = make_ticket(queue=make_queue("Network"))
    before = counts()

    with pytest.raises(NotFound):  # the far end is invisible to staff: same as missing
        services.add_link(ticket=ticket, kind="RefersTo", other=far, actor=staff)

    assert counts() == before


# --- Moving between queues --------------------------------------------------------------


@pytest.fixture
def unmapped_queue(staff):
    """A queue whose lifecycle has no status map from `default`."""
    Lifecycle.objects.create(
        name="kanban",
        initial=["todo"],
        active=["doing"],
        inactive=["done"],
        transitions={"": ["todo"], "todo": ["doing"], "doing": ["done"], "done": []},
        defaults={"on_create": "todo"},
    )
    registry.clear_cache()
    target = make_queue("Board", lifecycle="kanban")
    grant("CreateTicket", user=staff, queue=target)
    return target


def test_move_to_a_lifecycle_without_a_map_is_refused(
    queue, ticket, staff, unmapped_queue
):
    before = counts()

    with pytest.raises(InvalidTransition) as excinfo:
        services.move_ticket(ticket=ticket, queue=unmapped_queue, actor=staff)

    assert excinfo.value.message == (
        "Cannot move from lifecycle 'default' to 'kanban': no status map for 'new'."
    )
    reloaded = Ticket.objects.get(pk=ticket.pk)
    assert (reloaded.queue_id, reloaded.status) == (queue.pk, "new")
    assert counts() == before


def test_move_without_create_ticket_in_the_target_is_denied(queue, ticket, staff):
    target = make_queue("Network")
    before = counts()

    with pytest.raises(PermissionDenied) as excinfo:
        services.move_ticket(ticket=ticket, queue=target, actor=staff)

    assert "CreateTicket" in excinfo.value.message
    assert Ticket.objects.get(pk=ticket.pk).queue_id == queue.pk
    assert counts() == before


def test_move_to_the_same_queue_is_refused(queue, ticket, staff):
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.move_ticket(ticket=ticket, queue=queue, actor=staff)

    assert excinfo.value.message == "The ticket is already in queue 'Helpdesk'."
    assert counts() == before


def test_move_translates_the_status_through_the_map(ticket, staff):
    services.set_status(ticket=ticket, status="stalled", actor=staff)
    target = make_queue("CSIRT", lifecycle="incident")
    grant("CreateTicket", user=staff, queue=target)

    services.move_ticket(ticket=ticket, queue=target, actor=staff)

    reloaded = Ticket.objects.get(pk=ticket.pk)
    assert (reloaded.queue_id, reloaded.status) == (target.pk, "triage")


# --- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status_code"),
    [
        (PermissionDenied, 403),
        (ValidationFailed, 400),
        (InvalidTransition, 409),
    ],
)
def test_domain_errors_carry_a_message_and_a_status_code(error, status_code):
    raised = error("Something readable.")

    assert isinstance(raised, DomainError)
    assert raised.message == str(raised) == "Something readable."
    assert raised.status_code == status_code
