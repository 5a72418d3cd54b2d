"""A recursive-descent parser for TicketSQL.

    expr      := and_expr ( OR and_expr )*
    and_expr  := term ( AND term )*
    term      := "(" expr ")" | condition
    condition := key [SHALLOW] operator value
    operator  := = | != | < | > | <= | >= | [NOT] LIKE | [NOT] STARTSWITH
                 | [NOT] ENDSWITH | IS [NOT]
    value     := 'quoted' | "quoted" | number | NULL | bare word

AND binds tighter than OR, as in SQL. Keywords are case-insensitive.
"""

from __future__ import annotations

import re

from tracker.ticketsql.errors import TicketSQLError
from tracker.ticketsql.lexer import Kind, Token, tokenize
from tracker.ticketsql.nodes import BoolOp, Condition, Key, Node, Value, ValueKind

_KEYWORDS = frozenset(
    {"AND", "OR", "NOT", "LIKE", "STARTSWITH", "ENDSWITH", "IS", "NULL", "SHALLOW"}
)
_MATCH_WORDS = ("LIKE", "STARTSWITH", "ENDSWITH")
_CUSTOM_FIELD_KEY = re.compile(
    r"(?:CF|CustomField)\.(?:\{(?P<braced>[^{}]*)\}|(?P<bare>[\w ]+?))(?:\.(?P<sub>\w+))?",
    re.IGNORECASE,
)
_PLAIN_KEY = re.compile(r"(?P<field>[A-Za-z_]\w*)(?:\.(?P<sub>\w+))?")
_CF_COLUMN = re.compile(r"(?:CF|CustomField)\.\{[^{}]*\}", re.IGNORECASE)
_BARE_CF_COLUMN = re.compile(r"(?:CF|CustomField)\.(?:\{[^{}]*\}|\w+)", re.IGNORECASE)


def parse(query: str | None) -> Node | None:
    """The syntax tree of `query`; None for an empty query (every visible ticket).

    Raises TicketSQLError, with the position, when the query does not parse.
    """
    query = query or ""
    _check_characters(query)
    parser = _Parser(tokenize(query))
    if parser.peek().kind == Kind.END:
        return None
    node = parser.expression()
    token = parser.peek()
    if token.kind != Kind.END:
        if token.kind == Kind.RPAREN:
            raise TicketSQLError("')' without a matching '('", token.position)
        raise TicketSQLError(
            f"expecting AND or OR, found {_describe(token)}", token.position
        )
    return node


def _check_characters(query: str) -> None:
    for index, char in enumerate(query):
        # Databases refuse NUL in text and lone surrogates cannot be encoded.
        if char == "\x00" or "\ud800" <= char <= "\udfff":
            raise TicketSQLError("the query holds an invalid character", index + 1)


def _describe(token: Token) -> str:
    return "the end of the query" if token.kind == Kind.END else f"'{token.text}'"


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expression(self) -> Node:
        children = [self.and_expression()]
        while self.peek().is_keyword("OR"):
            self.advance()
            children.append(self.and_expression())
        return children[0] if len(children) == 1 else BoolOp("OR", tuple(children))

    def and_expression(self) -> Node:
        children = [self.term()]
        while self.peek().is_keyword("AND"):
            self.advance()
            children.append(self.term())
        return children[0] if len(children) == 1 else BoolOp("AND", tuple(children))

    def term(self) -> Node:
        token = self.peek()
        if token.kind == Kind.LPAREN:
            self.advance()
            node = self.expression()
            closing = self.peek()
            if closing.kind != Kind.RPAREN:
                raise TicketSQLError(
                    f"expecting ')' to close the '(' at position {token.position}, "
                    f"found {_describe(closing)}",
                    closing.position,
                )
            self.advance()
            return node
        return self.condition()

    def condition(self) -> Condition:
        key = self.key()
        shallow = False
        if self.peek().is_keyword("SHALLOW"):
            self.advance()
            shallow = True
        operator, null_only = self.operator(key)
        value = self.value(key, operator)
        if null_only and value.kind != ValueKind.NULL:
            # `IS 'x'` reads as `= 'x'`, as a forgiving SQL would.
            operator = "=" if operator == "IS" else "!="
        elif value.kind == ValueKind.NULL and operator in ("=", "!="):
            operator = "IS" if operator == "=" else "IS NOT"
        elif value.kind == ValueKind.NULL and operator not in ("IS", "IS NOT"):
            raise TicketSQLError(
                f"NULL cannot be used with {operator}; use IS NULL or IS NOT NULL",
                value.position,
            )
        return Condition(key, operator, value, shallow, key.position)

    def key(self) -> Key:
        token = self.peek()
        if token.kind not in (Kind.WORD, Kind.STRING) or (
            token.kind == Kind.WORD and token.value.upper() in _KEYWORDS
        ):
            raise TicketSQLError(
                f"expecting a field name, found {_describe(token)}", token.position
            )
        self.advance()
        text = token.value.strip()
        match = _CUSTOM_FIELD_KEY.fullmatch(text)
        if match:
            name = match.group("braced")
            if name is None:
                name = match.group("bare")
            name = name.strip()
            if not name:
                raise TicketSQLError("expecting a custom field name", token.position)
            return Key("CF", match.group("sub") or "", name, text, token.position)
        match = _PLAIN_KEY.fullmatch(text)
        if match is None:
            raise TicketSQLError(f"'{token.value}' is not a field name", token.position)
        return Key(
            match.group("field"), match.group("sub") or "", None, text, token.position
        )

    def operator(self, key: Key) -> tuple[str, bool]:
        """The normalised operator, and whether it is IS / IS NOT."""
        token = self.peek()
        if token.kind == Kind.OPERATOR:
            self.advance()
            return token.value, False
        if token.is_keyword(*_MATCH_WORDS):
            self.advance()
            return token.value.upper(), False
        if token.is_keyword("NOT") and self.peek(1).is_keyword(*_MATCH_WORDS):
            self.advance()
            return "NOT " + self.advance().value.upper(), False
        if token.is_keyword("IS"):
            self.advance()
            if self.peek().is_keyword("NOT"):
                self.advance()
                return "IS NOT", True
            return "IS", True
        raise TicketSQLError(
            f"expecting an operator after '{key.text}', found {_describe(token)}",
            token.position,
        )

    def value(self, key: Key, operator: str) -> Value:
        token = self.peek()
        if token.kind == Kind.STRING:
            self.advance()
            kind = (
                ValueKind.COLUMN
                if _CF_COLUMN.fullmatch(token.value.strip())
                else ValueKind.STRING
            )
            return Value(kind, token.value, token.position)
        if token.kind == Kind.NUMBER:
            self.advance()
            return Value(ValueKind.NUMBER, token.value, token.position)
        if token.kind == Kind.WORD and token.value.upper() == "NULL":
            self.advance()
            return Value(ValueKind.NULL, token.value, token.position)
        if token.kind == Kind.WORD and token.value.upper() not in _KEYWORDS:
            self.advance()
            kind = (
                ValueKind.COLUMN
                if _BARE_CF_COLUMN.fullmatch(token.value)
                else ValueKind.BARE
            )
            return Value(kind, token.value, token.position)
        raise TicketSQLError(
            f"expecting a value after '{key.text} {operator}', found {_describe(token)}",
            token.position,
        )
