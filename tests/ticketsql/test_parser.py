"""The grammar: tokens, keys, operators, values, precedence, and errors with positions."""

from __future__ import annotations

import pytest

from tracker.errors import ValidationFailed
from tracker.ticketsql import TicketSQLError, parse
from tracker.ticketsql.nodes import BoolOp, Condition, ValueKind


def only(query: str) -> Condition:
    node = parse(query)
    assert isinstance(node, Condition)
    return node


def test_empty_query_parses_to_nothing():
    assert parse("") is None
    assert parse("   \n\t") is None


@pytest.mark.parametrize(
    ("query", "operator"),
    [
        ("id = 1", "="),
        ("id == 1", "="),
        ("id != 1", "!="),
        ("id <> 1", "!="),
        ("id < 1", "<"),
        ("id > 1", ">"),
        ("id <= 1", "<="),
        ("id >= 1", ">="),
        ("Subject LIKE 'x'", "LIKE"),
        ("Subject like 'x'", "LIKE"),
        ("Subject NOT LIKE 'x'", "NOT LIKE"),
        ("Subject not like 'x'", "NOT LIKE"),
        ("Subject STARTSWITH 'x'", "STARTSWITH"),
        ("Subject NOT STARTSWITH 'x'", "NOT STARTSWITH"),
        ("Subject endswith 'x'", "ENDSWITH"),
        ("Subject NOT ENDSWITH 'x'", "NOT ENDSWITH"),
        ("Due IS NULL", "IS"),
        ("Due is not null", "IS NOT"),
        ("Due = NULL", "IS"),
        ("Due != NULL", "IS NOT"),
        ("Subject IS 'x'", "="),
        ("Subject IS NOT 'x'", "!="),
    ],
)
def test_operators(query, operator):
    assert only(query).operator == operator


@pytest.mark.parametrize(
    ("query", "kind", "text"),
    [
        ("Subject = 'it''s'", None, None),  # two strings in a row: a syntax error
        ("Subject = 'a \\'quoted\\' word'", ValueKind.STRING, "a 'quoted' word"),
        ('Subject = "double \\" quote"', ValueKind.STRING, 'double " quote'),
        ("Subject = 'back\\\\slash'", ValueKind.STRING, "back\\slash"),
        ("Priority = 42", ValueKind.NUMBER, "42"),
        ("Priority = -7", ValueKind.NUMBER, "-7"),
        ("Status = open", ValueKind.BARE, "open"),
        ("LastUpdated > Resolved", ValueKind.BARE, "Resolved"),
        ("CF.{A} = 'CF.{B}'", ValueKind.COLUMN, "CF.{B}"),
        ("Resolved IS NULL", ValueKind.NULL, "NULL"),
        ("Subject = 'NULL'", ValueKind.STRING, "NULL"),
    ],
)
def test_values(query, kind, text):
    if kind is None:
        with pytest.raises(TicketSQLError):
            parse(query)
        return
    value = only(query).value
    assert (value.kind, value.text) == (kind, text)


@pytest.mark.parametrize(
    ("query", "field", "subfield", "custom_field"),
    [
        ("Requestor.EmailAddress = 'x'", "Requestor", "EmailAddress", None),
        ("requestors.name = 'x'", "requestors", "name", None),
        ("CF.{Incident Type} = 'x'", "CF", "", "Incident Type"),
        ("cf.Severity = 'x'", "CF", "", "Severity"),
        ("CustomField.{Host name} = 'x'", "CF", "", "Host name"),
        ("'CF.{Incident Type}' = 'x'", "CF", "", "Incident Type"),
        ("\"CF.{Incident Type}\" = 'x'", "CF", "", "Incident Type"),
        ("CF.{Notes}.Content LIKE 'x'", "CF", "Content", "Notes"),
        ("'Status' = 'open'", "Status", "", None),
    ],
)
def test_keys(query, field, subfield, custom_field):
    key = only(query).key
    assert (key.field, key.subfield, key.custom_field) == (
        field,
        subfield,
        custom_field,
    )


def test_shallow_is_read_before_the_operator():
    condition = only("Requestor.Name SHALLOW = 'bob'")
    assert condition.shallow
    assert not only("Requestor.Name = 'bob'").shallow


def test_and_binds_tighter_than_or():
    node = parse("id = 1 OR id = 2 AND id = 3")
    assert isinstance(node, BoolOp)
    assert node.operator == "OR"
    assert isinstance(node.children[1], BoolOp)
    assert node.children[1].operator == "AND"


def test_parentheses_group_and_keywords_ignore_case():
    node = parse("(id = 1 or id = 2) and STATUS = 'open'")
    assert isinstance(node, BoolOp)
    assert node.operator == "AND"
    assert node.children[0].operator == "OR"


def test_nested_parentheses():
    node = parse("((id = 1))")
    assert isinstance(node, Condition)


def test_positions_count_from_one():
    condition = only("  Status = 'open'")
    assert condition.key.position == 3
    assert condition.value.position == 12


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "Status =",
            "expecting a value after 'Status =', found the end of the query at position 9",
        ),
        (
            "Status",
            "expecting an operator after 'Status', found the end of the query at position 7",
        ),
        ("Status ~ 'x'", "unexpected character '~' at position 8"),
        ("Status = 'open", "unterminated string starting with ' at position 10"),
        (
            "(Status = 'open'",
            "expecting ')' to close the '(' at position 1, found the end of the query at position 17",
        ),
        ("Status = 'open')", "')' without a matching '(' at position 16"),
        (
            "Status = 'open' Queue = 'x'",
            "expecting AND or OR, found 'Queue' at position 17",
        ),
        ("AND Status = 'open'", "expecting a field name, found 'AND' at position 1"),
        (
            "Status = 'open' AND",
            "expecting a field name, found the end of the query at position 20",
        ),
        ("= 'open'", "expecting a field name, found '=' at position 1"),
        (
            "Status = AND",
            "expecting a value after 'Status =', found 'AND' at position 10",
        ),
        (
            "Status NOT 'x'",
            "expecting an operator after 'Status', found 'NOT' at position 8",
        ),
        ("a.b.c = 1", "'a.b.c' is not a field name at position 1"),
        ("CF.{Severity = 1", "missing '}' after the custom field name at position 4"),
        ("CF.{} = 1", "expecting a custom field name at position 1"),
        (
            "Due LIKE NULL",
            "NULL cannot be used with LIKE; use IS NULL or IS NOT NULL at position 10",
        ),
        ("Subject = 'a\x00b'", "the query holds an invalid character at position 13"),
        ("Status = !", "unexpected character '!' at position 10"),
        ("()", "expecting a field name, found ')' at position 2"),
    ],
)
def test_syntax_errors_say_where_and_why(query, message):
    with pytest.raises(TicketSQLError) as excinfo:
        parse(query)
    assert excinfo.value.message == message
    assert excinfo.value.position == int(message.rsplit(" ", 1)[1])


def test_the_error_is_a_validation_failure():
    with pytest.raises(ValidationFailed) as excinfo:
        parse("Status =")
    assert excinfo.value.status_code == 400
