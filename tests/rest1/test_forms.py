"""The RT 1.0 form format: parsing client text and composing answers."""

from __future__ import annotations

from tracker.api.rest1.forms import Form, compose_forms, parse_forms, split_values


def test_parse_reads_keys_comments_and_separators():
    forms = parse_forms(
        "# Required: id\n\nid: ticket/new\nQueue: General\n--\nid: ticket/2\n"
    )
    assert [f.comment for f in forms] == ["# Required: id", ""]
    assert forms[0].keys == ["id", "Queue"]
    assert forms[1].values == {"id": "ticket/2"}


def test_parse_joins_indented_continuation_lines_and_strips_their_indent():
    (form,) = parse_forms("Text: first\n      second\n\n      third\n\nStatus: open\n")
    assert form.values["Text"] == "first\nsecond\n\nthird"
    assert form.values["Status"] == "open"


def test_parse_collects_a_repeated_key_into_a_list():
    (form,) = parse_forms("Cc: a@example.org\nCc: b@example.org\n")
    assert form.values["Cc"] == ["a@example.org", "b@example.org"]


def test_parse_accepts_custom_field_keys():
    (form,) = parse_forms("CF.{Incident Type}: phishing\nCF-Severity: high\n")
    assert form.keys == ["CF.{Incident Type}", "CF-Severity"]


def test_a_line_that_is_not_a_field_marks_the_form_as_erroneous():
    (form,) = parse_forms("id: ticket/1\nthis is not a field\nStatus: open\n")
    assert form.keys == ["id"]
    assert form.error.startswith(">> this is not a field")


def test_get_matches_keys_case_insensitively():
    (form,) = parse_forms("status: open\n")
    assert form.get("Status") == "open"
    assert form.text("STATUS") == "open"


def test_split_values_handles_commas_and_quotes():
    assert split_values("a@example.org, 'b, c', \"d\"") == [
        "a@example.org",
        "b, c",
        "d",
    ]
    assert split_values(["x,y", "z"]) == ["x", "y", "z"]
    assert split_values("") == []


def test_compose_indents_multi_line_values_so_they_parse_back():
    form = Form(comment="# hello")
    form.add("id", "ticket/1")
    form.add("Content", "line one\nline two")
    form.add("Cc", "")
    text = compose_forms([form, Form(comment="# second")])
    assert text.startswith(
        "# hello\n\nid: ticket/1\nContent: line one\n         line two\n"
    )
    assert "\n--\n\n# second" in text
    parsed = parse_forms(text)
    assert parsed[0].values == {
        "id": "ticket/1",
        "Content": "line one\nline two",
        "Cc": "",
    }
