"""Rendering records for people (aligned table, key: value) and for programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

UNSET = "1970-01-01T00:00:00Z"


def plain(value: Any, names: Callable[[dict], str] | None = None) -> str:
    """One field's value as text: references by name or id, lists comma-joined."""
    if value is None or value == UNSET:
        return ""
    if isinstance(value, dict):
        if "values" in value and "name" in value:
            return f"{value['name']}={','.join(map(str, value['values']))}"
        if names is not None and "type" in value:
            return names(value)
        return str(value.get("id", ""))
    if isinstance(value, list):
        return ", ".join(plain(item, names) for item in value)
    return str(value)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [headers, *rows]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in lines
    )


def csv_text(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def key_values(pairs: Sequence[tuple[str, str]]) -> str:
    width = max((len(k) for k, _ in pairs), default=0)
    out = []
    for key, value in pairs:
        lines = value.split("\n") or [""]
        out.append(f"{key + ':':<{width + 1}} {lines[0]}".rstrip())
        out.extend(" " * (width + 2) + line for line in lines[1:])
    return "\n".join(out) + "\n"
