import time

import pytest

from mailgate.parsing import (
    OK,
    UNPARSEABLE,
    decode_bytes,
    html_to_text,
    parse_message,
)
from tests.mailgate.mailbuilders import fixture, make_mail, many_parts, nested_multipart


def test_plain_message_yields_sender_subject_and_body():
    parsed = parse_message(make_mail())
    assert parsed.verdict == OK
    assert parsed.sender == "alice@customer.example"
    assert parsed.sender_name == "Alice Customer"
    assert parsed.subject == "Printer on fire"
    assert parsed.text_body == "It is on fire.\n"
    assert parsed.message_id == "<m1@customer.example>"
    assert parsed.to == ("support@tracker.example",)
    assert not parsed.is_auto_generated


def test_rfc2047_encoded_subject_and_name_are_decoded():
    raw = make_mail(
        sender="=?UTF-8?B?Rm9vLCBCYXI=?= <foo.bar@example.com>",
        subject="=?iso-8859-1?q?Caf=E9_ferm=E9?=",
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Café fermé"
    assert parsed.sender_name == "Foo, Bar"


def test_encoded_word_display_name_fixture_keeps_address():
    parsed = parse_message(fixture("flanker--encoded-header.eml"))
    assert parsed.sender == "foo.bar@example.com"
    assert parsed.sender_name == "Foo, Bar"


def test_bogus_encoded_word_charset_does_not_raise():
    parsed = parse_message(make_mail(subject="=?fakescii?q?hello_there?="))
    assert parsed.verdict == OK
    assert "hello" in parsed.subject


def test_in_reply_to_and_references_are_listed_in_order():
    raw = make_mail(
        extra="In-Reply-To: <a@x>\nReferences: <r1@x> <r2@x>\n\t<r3@x>",
    )
    parsed = parse_message(raw)
    assert parsed.in_reply_to == ("<a@x>",)
    assert parsed.references == ("<r1@x>", "<r2@x>", "<r3@x>")


def test_missing_message_id_gives_empty_string():
    assert parse_message(make_mail(message_id=None)).message_id == ""


def test_unknown_body_charset_falls_back_to_text():
    parsed = parse_message(fixture("enmime--unk-charset-part.raw"))
    assert parsed.verdict == OK
    assert parsed.text_body.strip() == "A text section"


def test_wrong_declared_charset_falls_back_to_cp1252():
    raw = make_mail(body="") + "Caf\xe9 ferm\xe9".encode("latin-1")
    parsed = parse_message(raw)
    assert parsed.text_body == "Café fermé"


def test_decode_bytes_reports_fallback():
    assert decode_bytes(b"abc", "us-ascii") == ("abc", False)
    assert decode_bytes(b"\xe9", "utf-8") == ("é", True)
    assert decode_bytes(b"abc", "no-such-charset") == ("abc", True)


def test_html_only_message_gets_text_from_html():
    parsed = parse_message(fixture("enmime--html-only-inline.raw"))
    assert parsed.verdict == OK
    assert parsed.text_body
    assert "<" not in parsed.text_body


def test_html_to_text_drops_tags_scripts_and_entities():
    text = html_to_text(
        "<html><head><style>p{}</style></head><body><p>Hello&nbsp;<b>you</b></p>"
        "<script>alert(1)</script><p>Bye &amp; thanks</p></body></html>"
    )
    assert text == "Hello you\n\nBye & thanks"


def test_attachment_text_is_not_chosen_as_body():
    raw = (
        b"From: a@b.example\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\nContent-Disposition: attachment; "
        b'filename="log.txt"\n\nlog lines\n'
        b"--B\nContent-Type: text/plain\n\nthe real body\n--B--\n"
    )
    assert parse_message(raw).text_body.strip() == "the real body"


def test_multipart_without_usable_boundary_is_read_as_text():
    parsed = parse_message(fixture("mimekit--missing-multipart-boundary.eml"))
    assert parsed.verdict == OK
    assert "This is the message body" in parsed.text_body


def test_nul_bytes_in_headers_are_removed():
    parsed = parse_message(fixture("mimekit--unexpected-null-bytes-in-headers.eml"))
    assert parsed.verdict == OK
    assert all("\x00" not in v for v in parsed.headers.values())


def test_group_syntax_recipient_does_not_raise():
    parsed = parse_message(fixture("mimekit--delivery-status.txt"))
    assert parsed.verdict == OK
    assert parsed.to == ()
    assert parsed.sender == "postmaster@mm1.sprynet.com"


def test_delivery_status_report_is_auto_generated():
    assert parse_message(fixture("mimekit--delivery-status.txt")).is_auto_generated


def test_icloud_vacation_reply_without_standard_headers_is_auto_generated():
    assert parse_message(fixture("sisimai--rfc3834-03.eml")).is_auto_generated


@pytest.mark.parametrize(
    "extra",
    [
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "Return-Path: <>",
        "X-Auto-Response-Suppress: All",
        "List-Id: <users.lists.example>",
    ],
)
def test_auto_generated_headers_are_detected(extra):
    assert parse_message(make_mail(extra=extra)).is_auto_generated


def test_mailer_daemon_sender_is_auto_generated():
    raw = make_mail(sender="MAILER-DAEMON@mx.example")
    assert parse_message(raw).is_auto_generated


def test_auto_submitted_no_is_human():
    assert not parse_message(make_mail(extra="Auto-Submitted: no")).is_auto_generated


def test_reply_to_is_not_taken_as_the_sender():
    raw = make_mail(extra="Reply-To: victim@customer.example")
    assert parse_message(raw).sender == "alice@customer.example"


def test_envelope_sender_is_used_when_there_is_no_from():
    raw = b"Subject: no from\n\nbody\n"
    parsed = parse_message(raw, envelope_sender="bob@example.net")
    assert parsed.verdict == OK
    assert parsed.sender == "bob@example.net"


def test_message_without_any_sender_is_unparseable():
    parsed = parse_message(b"Subject: no from\n\nbody\n")
    assert parsed.verdict == UNPARSEABLE
    assert "sender" in parsed.reason


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        b"// Not an RFC-822 Document\n\nthing\n",
        bytes(range(256)) * 40,
    ],
    ids=["empty", "blank", "outlook-msg", "not-rfc822", "binary-junk"],
)
def test_junk_yields_unparseable_verdict(raw):
    parsed = parse_message(raw)
    assert parsed.verdict == UNPARSEABLE
    assert parsed.reason


def test_leading_blank_lines_and_bom_are_tolerated():
    raw = b"\xef\xbb\xbf\n\n  " + make_mail()
    assert parse_message(raw).sender == "alice@customer.example"


def test_deeply_nested_multipart_is_unparseable_quickly():
    start = time.monotonic()
    parsed = parse_message(nested_multipart(1000))
    assert parsed.verdict == UNPARSEABLE
    assert time.monotonic() - start < 5


def test_thousands_of_parts_are_unparseable_quickly():
    start = time.monotonic()
    parsed = parse_message(many_parts(5000))
    assert parsed.verdict == UNPARSEABLE
    assert "parts" in parsed.reason
    assert time.monotonic() - start < 5


def test_giant_header_block_is_refused_before_parsing():
    raw = b"From: a@b.example\nX-Big: " + b"a" * (2 * 1024 * 1024) + b"\n\nbody\n"
    parsed = parse_message(raw)
    assert parsed.verdict == UNPARSEABLE
    assert "header" in parsed.reason


def test_crlf_line_endings_parse_like_lf():
    parsed = parse_message(make_mail().replace(b"\n", b"\r\n"))
    assert parsed.subject == "Printer on fire"
    assert parsed.text_body.replace("\r\n", "\n") == "It is on fire.\n"


def test_subject_with_newline_injection_is_one_line():
    raw = make_mail(subject="=?utf-8?q?a=0D=0ABcc:_x@evil.example?=")
    assert "\n" not in parse_message(raw).subject


def test_nul_in_quoted_printable_text_is_dropped_before_storing():
    from mailgate.parsing import drop_nul_from_text_parts, part_text

    raw = make_mail(body="a=00b\n").replace(
        b"charset=utf-8", b"charset=utf-8\nContent-Transfer-Encoding: quoted-printable"
    )
    message = parse_message(raw).message
    assert drop_nul_from_text_parts(message) == 1
    assert part_text(message) == "ab\n"
    assert message.get_payload(decode=True) == b"ab\n"


def test_linear_decoder_joins_a_character_split_across_encoded_words():
    from mailgate.parsing import decode_words_linear

    value = "=?utf-8?b?4oI=?= =?utf-8?b?rA==?= and =?iso-8859-1?q?caf=E9?="
    assert decode_words_linear(value) == "€ and café"


def test_long_encoded_subject_is_decoded_quickly():
    word = "=?utf-8?b?w6k=?="
    subject = " ".join([word] * 40000).encode()
    start = time.monotonic()
    parsed = parse_message(b"From: a@b.example\nSubject: " + subject + b"\n\nx\n")
    assert time.monotonic() - start < 3
    assert parsed.subject == "é" * 40000


def test_header_with_thousands_of_addresses_does_not_recurse_too_deep():
    to = ", ".join(f"=?utf-8?q?User_{i}?= <u{i}@example.org>" for i in range(5000))
    raw = f"From: a@b.example\nTo: {to}\nSubject: many\n\nx\n".encode()
    parsed = parse_message(raw)
    assert parsed.verdict == OK
    assert len(parsed.to) == 5000


@pytest.mark.parametrize(
    "sender",
    [
        "alice@customer.example <mallory@evil.example>",
        "alice@customer.example)<mallory@evil.example>",
    ],
)
def test_ambiguous_from_is_read_as_its_angle_address_not_the_first_one(sender):
    assert parse_message(make_mail(sender=sender)).sender == "mallory@evil.example"


def test_from_with_two_angle_addresses_is_not_trusted():
    raw = make_mail(sender="Bob <bob@customer.example> Bobby <bobby@evil.example>")
    parsed = parse_message(raw, envelope_sender="bounce@evil.example")
    assert parsed.sender == "bounce@evil.example"


def test_quoted_comma_in_display_name_keeps_the_sender():
    raw = make_mail(sender='"Customer, Alice" <alice@customer.example>')
    assert parse_message(raw).sender == "alice@customer.example"


def test_trailing_comma_in_cc_keeps_the_addresses():
    raw = make_mail(extra="Cc: bob@customer.example, carol@customer.example,")
    assert parse_message(raw).cc == ("bob@customer.example", "carol@customer.example")
