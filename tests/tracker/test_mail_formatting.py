from tracker.mail import (
    add_subject_tag,
    is_auto_generated,
    is_our_loop,
    make_message_id,
    sanitize_header_value,
    ticket_id_from_message_id,
    ticket_id_from_subject,
)


def test_subject_tag_is_added_once():
    tagged = add_subject_tag("Printer on fire", "tracker", 12)
    assert tagged == "[tracker #12] Printer on fire"
    assert (
        add_subject_tag(f"Re: {tagged}", "tracker", 12)
        == "Re: [tracker #12] Printer on fire"
    )


def test_ticket_number_found_in_our_tag_case_insensitively():
    assert ticket_id_from_subject("RE: [TRACKER #42] help", ["tracker"]) == 42


def test_queue_subject_tag_is_recognised():
    assert ticket_id_from_subject("Re: [CSIRT #7] scan", ["tracker", "CSIRT"]) == 7


def test_foreign_tag_is_ignored():
    assert ticket_id_from_subject("Re: [other #7] scan", ["tracker"]) is None


def test_message_id_carries_the_ticket_number():
    mid = make_message_id(ticket_id=9, transaction_id=31, domain="example.org")
    assert ticket_id_from_message_id(f"<abc@elsewhere> {mid}", "example.org") == 9


def test_message_id_of_another_domain_is_not_ours():
    mid = make_message_id(ticket_id=9, transaction_id=31, domain="example.org")
    assert ticket_id_from_message_id(mid, "example.net") is None


def test_header_values_lose_line_breaks():
    assert (
        sanitize_header_value("Eve\r\nBcc: victim@example.org")
        == "Eve Bcc: victim@example.org"
    )


def test_auto_submitted_mail_is_auto_generated():
    assert is_auto_generated({"Auto-Submitted": "auto-replied"})
    assert not is_auto_generated({"Auto-Submitted": "no"})
    assert is_auto_generated({"Precedence": "bulk"})
    assert not is_auto_generated({"Subject": "hello"})


def test_loop_header_names_our_tracker():
    assert is_our_loop({"X-RT-Loop-Prevention": "tracker"}, "tracker")
    assert not is_our_loop({"X-RT-Loop-Prevention": "other"}, "tracker")
