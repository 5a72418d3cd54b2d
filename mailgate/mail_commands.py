"""Commands by mail (in the style of RT-Extension-CommandByMail): `Word: value` lines at
the top of the body, such as `Status: resolved` or `AddCc: bob@example.com`.

Pure: this module only reads the lines. Reading stops at the first line that is not a
known command, so ordinary text such as "Note: the printer..." is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SINGLE = {
    "queue": "Queue",
    "subject": "Subject",
    "status": "Status",
    "owner": "Owner",
    "priority": "Priority",
    "finalpriority": "FinalPriority",
    "due": "Due",
    "starts": "Starts",
    "timeworked": "TimeWorked",
    "timeestimated": "TimeEstimated",
    "timeleft": "TimeLeft",
}
WATCHERS = {
    f"{verb}{role.lower()}": (verb, role)
    for verb in ("add", "del")
    for role in ("Requestor", "Cc", "AdminCc")
}
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z.]*(?:\{[^}\n]{1,200}\})?)\s*:\s*(.*?)\s*$")
_CUSTOM_FIELD = re.compile(r"^(?:cf|customfield)\.\{(.+)\}$", re.IGNORECASE)
MAX_COMMANDS = 50


@dataclass(frozen=True)
class MailCommand:
    """One command line. `name` is canonical ("Status", "AddCc", "CF"); `field` holds
    the custom field's name for CF commands."""

    name: str
    value: str
    field: str = ""


def canonical(word: str) -> tuple[str, str] | None:
    key = word.strip().lower()
    if key in SINGLE:
        return SINGLE[key], ""
    if key in WATCHERS:
        verb, role = WATCHERS[key]
        return f"{verb.capitalize()}{role}", ""
    match = _CUSTOM_FIELD.match(word.strip())
    if match:
        return "CF", match.group(1).strip()
    return None


def read_commands(body: str) -> list[MailCommand]:
    """The commands at the top of `body`, in order (blank lines before them skipped)."""
    commands: list[MailCommand] = []
    for line in body.lstrip("\r\n\t ").splitlines():
        if not line.strip():
            break
        match = _LINE.match(line)
        known = canonical(match.group(1)) if match else None
        if known is None:
            break
        name, field = known
        commands.append(MailCommand(name, match.group(2), field))
        if len(commands) >= MAX_COMMANDS:
            break
    return commands
