"""The lifecycles the tracker ships with, in the dict form of `engine.Lifecycle.from_definition`.

Migration 0002 loads these into the database; after that the database copy is the one in use
and can be edited in the admin.
"""

from __future__ import annotations

from typing import Any

# RT's stock ticket lifecycle: any status may move to any other; deleting needs DeleteTicket.
DEFAULT: dict[str, Any] = {
    "type": "ticket",
    "initial": ["new"],
    "active": ["open", "stalled"],
    "inactive": ["resolved", "rejected", "deleted"],
    "defaults": {
        "on_create": "new",
        "approved": "open",
        "denied": "rejected",
        "reminder_on_open": "open",
        "reminder_on_resolve": "resolved",
    },
    "transitions": {
        "": ["new", "open", "resolved"],
        "new": ["open", "stalled", "resolved", "rejected", "deleted"],
        "open": ["new", "stalled", "resolved", "rejected", "deleted"],
        "stalled": ["new", "open", "rejected", "resolved", "deleted"],
        "resolved": ["new", "open", "stalled", "rejected", "deleted"],
        "rejected": ["new", "open", "stalled", "resolved", "deleted"],
        "deleted": ["new", "open", "stalled", "rejected", "resolved"],
    },
    "rights": [
        ["* -> deleted", "DeleteTicket"],
        ["* -> *", "ModifyTicket"],
    ],
    "actions": [
        {"from": "new", "to": "open", "label": "Open It", "update": "respond"},
        {"from": "new", "to": "resolved", "label": "Resolve", "update": "comment"},
        {"from": "new", "to": "rejected", "label": "Reject", "update": "respond"},
        {"from": "new", "to": "deleted", "label": "Delete", "update": ""},
        {"from": "open", "to": "stalled", "label": "Stall", "update": "comment"},
        {"from": "open", "to": "resolved", "label": "Resolve", "update": "comment"},
        {"from": "open", "to": "rejected", "label": "Reject", "update": "respond"},
        {"from": "stalled", "to": "open", "label": "Open It", "update": ""},
        {"from": "resolved", "to": "open", "label": "Re-open", "update": "comment"},
        {"from": "rejected", "to": "open", "label": "Re-open", "update": "comment"},
        {"from": "deleted", "to": "open", "label": "Undelete", "update": ""},
    ],
}

# For CSIRTs: once declared, an incident can only leave through closing (and a post-incident
# review), and each step that matters has its own right so it can be granted separately.
INCIDENT: dict[str, Any] = {
    "type": "ticket",
    "initial": ["new"],
    "active": ["triage", "incident", "closing", "post-incident"],
    # No "deleted": incident records are evidence and cannot be deleted by a status change.
    "inactive": ["resolved", "rejected"],
    "defaults": {
        "on_create": "new",
        "approved": "triage",
        "denied": "rejected",
        "reminder_on_open": "triage",
        "reminder_on_resolve": "resolved",
    },
    "transitions": {
        "": ["new", "triage"],
        "new": ["triage", "resolved", "rejected"],
        "triage": ["incident", "resolved", "rejected", "new"],
        "incident": ["closing"],
        "closing": ["post-incident", "incident"],
        "post-incident": ["resolved", "closing"],
        "resolved": ["triage", "incident"],
        "rejected": ["triage"],
    },
    "rights": [
        ["triage -> incident", "DeclareIncident"],
        ["closing -> *", "CloseIncident"],
        ["* -> rejected", "RejectTicket"],
        ["resolved -> *", "ReopenIncident"],
        ["rejected -> *", "ReopenIncident"],
        ["* -> *", "ModifyTicket"],
    ],
    "actions": [
        {"from": "new", "to": "triage", "label": "Start triage", "update": "comment"},
        {
            "from": "triage",
            "to": "incident",
            "label": "Declare incident",
            "update": "comment",
        },
        {
            "from": "triage",
            "to": "resolved",
            "label": "Resolve (no incident)",
            "update": "respond",
        },
        {"from": "*", "to": "rejected", "label": "Reject", "update": "respond"},
        {
            "from": "incident",
            "to": "closing",
            "label": "Begin closing",
            "update": "comment",
        },
        {
            "from": "closing",
            "to": "incident",
            "label": "Back to incident",
            "update": "",
        },
        {
            "from": "closing",
            "to": "post-incident",
            "label": "Post-incident review",
            "update": "comment",
        },
        {
            "from": "post-incident",
            "to": "resolved",
            "label": "Close out",
            "update": "respond",
        },
        {"from": "resolved", "to": "triage", "label": "Re-open", "update": "comment"},
        {"from": "rejected", "to": "triage", "label": "Re-open", "update": "comment"},
    ],
}

LIFECYCLES: dict[str, dict[str, Any]] = {"default": DEFAULT, "incident": INCIDENT}

# Moving a ticket between queues with different lifecycles needs a map, total over the source.
MAPS: dict[tuple[str, str], dict[str, str]] = {
    ("default", "incident"): {
        "new": "new",
        "open": "triage",
        "stalled": "triage",
        "resolved": "resolved",
        "rejected": "rejected",
        "deleted": "rejected",
    },
    ("incident", "default"): {
        "new": "new",
        "triage": "open",
        "incident": "open",
        "closing": "open",
        "post-incident": "open",
        "resolved": "resolved",
        "rejected": "rejected",
    },
}
