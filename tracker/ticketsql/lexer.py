"""Split a TicketSQL query into tokens. Positions count characters from 1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tracker.ticketsql.errors import TicketSQLError


class Kind(StrEnum):
    WORD = "word"  # a bare word: field name, keyword or unquoted value
    NUMBER = "number"
    STRING = "string"  # quoted, escapes resolved
    OPERATOR = "operator"
    LPAREN = "("
    RPAREN = ")"
    END = "end"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # the token's source text, as written
    value: str  # the unquoted value
    position: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == Kind.WORD and self.value.upper() in words


_BARE = re.compile(r"-?[\w.]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OPERATORS = ("<=", ">=", "!=", "<>", "==", "=", "<", ">")
_BRACED_PREFIX = re.compile(r"(?:CF|CustomField|QueueCF|TxnCF)\.$", re.IGNORECASE)


def tokenize(query: str) -> list[Token]:
    """The tokens of `query`, ending with an END token."""
    tokens: list[Token] = []
    i, length = 0, len(query)
    while i < length:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            kind = Kind.LPAREN if char == "(" else Kind.RPAREN
            tokens.append(Token(kind, char, char, i + 1))
            i += 1
        elif char in "'\"":
            i = _read_string(query, i, tokens)
        elif char in "<>!=":
            operator = next((op for op in _OPERATORS if query.startswith(op, i)), None)
            if operator is None:
                raise TicketSQLError(f"unexpected character '{char}'", i + 1)
            value = {"<>": "!=", "==": "="}.get(operator, operator)
            tokens.append(Token(Kind.OPERATOR, operator, value, i + 1))
            i += len(operator)
        else:
            i = _read_bare(query, i, tokens)
    tokens.append(Token(Kind.END, "", "", length + 1))
    return tokens


def _read_string(query: str, start: int, tokens: list[Token]) -> int:
    quote = query[start]
    chars: list[str] = []
    i = start + 1
    while i < len(query):
        char = query[i]
        if char == "\\" and i + 1 < len(query):
            chars.append(query[i + 1])
            i += 2
        elif char == quote:
            tokens.append(
                Token(Kind.STRING, query[start : i + 1], "".join(chars), start + 1)
            )
            return i + 1
        else:
            chars.append(char)
            i += 1
    raise TicketSQLError(f"unterminated string starting with {quote}", start + 1)


def _read_bare(query: str, start: int, tokens: list[Token]) -> int:
    match = _BARE.match(query, start)
    if match is None or match.group() == "-":
        raise TicketSQLError(f"unexpected character '{query[start]}'", start + 1)
    end = match.end()
    if end < len(query) and query[end] == "{" and _BRACED_PREFIX.search(match.group()):
        close = query.find("}", end)
        if close < 0:
            raise TicketSQLError("missing '}' after the custom field name", end + 1)
        tail = _BARE.match(query, close + 1)
        end = tail.end() if tail and tail.group().startswith(".") else close + 1
    text = query[start:end]
    kind = Kind.NUMBER if _NUMBER.fullmatch(text) else Kind.WORD
    tokens.append(Token(kind, text, text, start + 1))
    return end
