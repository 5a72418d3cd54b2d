from __future__ import annotations

import copy

import pytest

from lifecycles import defaults, registry


@pytest.fixture(autouse=True)
def _fresh_registry():
    # The registry keeps lifecycles per process; a rolled-back test must not leak its edits.
    registry.clear_cache()
    yield
    registry.clear_cache()


@pytest.fixture
def small_definition():
    """A valid three-status lifecycle that tests can break one rule at a time."""
    return {
        "type": "ticket",
        "initial": ["new"],
        "active": ["open"],
        "inactive": ["closed"],
        "defaults": {"on_create": "new"},
        "transitions": {
            "": ["new", "open"],
            "new": ["open", "closed"],
            "open": ["closed"],
            "closed": ["open"],
        },
        "rights": [["* -> closed", "CloseTicket"], ["* -> *", "ModifyTicket"]],
        "actions": [
            {"from": "*", "to": "closed", "label": "Close", "update": "comment"}
        ],
    }


@pytest.fixture
def default_definition():
    return copy.deepcopy(defaults.DEFAULT)


@pytest.fixture
def incident_definition():
    return copy.deepcopy(defaults.INCIDENT)
