"""RT 1.0's plain-text forms: parsing what clients send and composing what they read.

A form is a block of `Key: value` lines, optionally preceded by `#` comment lines. A
value continues on following lines that are blank or indented (the common indent is
removed). A key given twice collects a list. Forms are separated by a line holding
only `--`. Multi-valued fields (watchers, links) hold comma-separated items that may be
quoted with single or double quotes.

Pure functions: no Django, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Keys clients may send: plain words, "CF-Name" / "CustomField-Name", and "CF.{Name}".
FIELD_RE = re.compile(
    r"(?i:[a-z][a-z0-9_-]*|C(?:ustom)?F(?:ield)?-[^,]+?|CF\.\{[^,]+?\})"
)
_LINE_RE = re.compile(rf"^({FIELD_RE.pattern}):(?:\s+(.*))?$")

Value = str | list[str]


@dataclass
class Form:
    """One record: leading comment lines, keys in order, their values, a syntax error."""

    comment: str = ""
    keys: list[str] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)
    error: str = ""

    def add(self, key: str, value: Value) -> None:
        if key not in self.values:
            self.keys.append(key)
            self.values[key] = value
            return
        current = self.values[key]
        merged = current if isinstance(current, list) else [current]
        merged.extend(value if isinstance(value, list) else [value])
        self.values[key] = merged

    def get(self, key: str, default: Value = "") -> Value:
        """The value of `key`, matched case-insensitively."""
        for name, value in self.values.items():
            if name.lower() == key.lower():
                return value
        return default

    def text(self, key: str) -> str:
        value = self.get(key)
        return "\n".join(value) if isinstance(value, list) else value

    @property
    def is_empty(self) -> bool:
        return not (self.comment or self.keys or self.error)


def parse_forms(text: str) -> list[Form]:
    """Split `text` into forms. A line that is neither a comment nor `Key: value`
    marks the form as erroneous; the rest of that form is kept in `error`."""
    forms: list[Form] = []
    current = Form()
    state = "start"  # start -> fields; "error" swallows the rest of the form
    lines = (text or "").replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "--":
            if not current.is_empty:
                forms.append(current)
            current, state = Form(), "start"
            continue
        if state == "error":
            current.error += line + "\n"
            continue
        if line == "":
            continue
        if state == "start" and line.startswith("#"):
            comment = [line]
            while i < len(lines) and lines[i].startswith("#"):
                comment.append(lines[i])
                i += 1
            current.comment = "\n".join(comment)
            state = "fields"
            continue
        match = _LINE_RE.match(line)
        if match:
            parts = [match.group(2)] if match.group(2) else []
            while i < len(lines) and (lines[i] == "" or lines[i][:1].isspace()):
                parts.append(lines[i])
                i += 1
            while parts and parts[-1] == "":
                parts.pop()
            current.add(match.group(1), _dedent(parts))
            state = "fields"
            continue
        if line.startswith("#"):
            continue
        state = "error"
        current.error = f">> {line}\n"
    if not current.is_empty:
        forms.append(current)
    return forms


def _dedent(parts: list[str]) -> str:
    """Join a value's lines, removing the indent the continuation lines share."""
    if len(parts) <= 1:
        return parts[0] if parts else ""
    indents = [len(p) - len(p.lstrip()) for p in parts[1:] if p.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([parts[0], *(p[cut:] for p in parts[1:])])


_ITEM_RE = re.compile(
    r"""\s*(?:"((?:[^\\"]|\\.)*)"|'((?:[^\\']|\\.)*)'|([^,]*?))\s*(?:,|$)""", re.S
)


def split_values(value: Value) -> list[str]:
    """Items of a multi-valued field: comma-separated, each optionally quoted."""
    items: list[str] = []
    lines = value if isinstance(value, list) else [value]
    for text in lines:
        for line in str(text).split("\n"):
            pos = 0
            while pos < len(line) and line[pos:].strip():
                match = _ITEM_RE.match(line, pos)
                if match is None or match.end() == pos:
                    break
                pos = match.end()
                double, single, bare = match.groups()
                if double is not None:
                    items.append(re.sub(r"\\(.)", r"\1", double))
                elif single is not None:
                    items.append(re.sub(r"\\(.)", r"\1", single))
                elif bare:
                    items.append(bare)
    return items


def compose_forms(forms: list[Form]) -> str:
    """The text of `forms`, separated by `--` lines."""
    return "\n--\n\n".join(_compose(form) for form in forms)


def _compose(form: Form) -> str:
    out = ""
    if form.comment:
        out = form.comment.rstrip("\n") + "\n"
        if form.keys or form.error:
            out += "\n"
    if form.error:
        return out + form.error
    for key in form.keys:
        out += _compose_field(key, form.values[key])
    return out


def _compose_field(key: str, value: Value) -> str:
    items = value if isinstance(value, list) else [value]
    items = ["" if item is None else str(item) for item in items]
    pad = " " * (4 if len(key) + 2 > 16 else len(key) + 2)
    if any("\n" in item for item in items):
        text = "\n".join(items)
        lines = text.split("\n")
        rest = "".join(f"\n{pad}{line}" if line else "\n" for line in lines[1:])
        first = f"{key}: {lines[0]}" if lines[0] else f"{key}:"
        return f"{first}{rest}\n\n"
    if not items or items == [""]:
        return f"{key}:\n"
    return f"{key}: {', '.join(items)}\n"
