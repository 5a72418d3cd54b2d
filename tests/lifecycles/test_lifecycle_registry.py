"""The registry: lookups by name, per-process caching and the cache version that ends it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from lifecycles import registry
from lifecycles.defaults import INCIDENT
from lifecycles.engine import Lifecycle as EngineLifecycle
from lifecycles.engine import LifecycleError
from lifecycles.models import Lifecycle

pytestmark = pytest.mark.django_db


def allow_incident_to_resolved():
    row = Lifecycle.objects.get(name="incident")
    row.transitions["incident"].append("resolved")
    row.save()


def test_get_lifecycle_returns_the_shipped_incident_lifecycle():
    expected = EngineLifecycle.from_definition("incident", INCIDENT)
    assert registry.get_lifecycle("incident") == expected


def test_unknown_lifecycle_raises_lookup_error():
    with pytest.raises(LookupError, match="There is no lifecycle called 'nope'"):
        registry.get_lifecycle("nope")


def test_all_lifecycles_load_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        registry.get_lifecycle("default")
        registry.get_lifecycle("incident")


def test_cached_lookup_runs_no_query(django_assert_num_queries):
    registry.get_lifecycle("default")
    with django_assert_num_queries(0):
        registry.get_lifecycle("default")


def test_saved_edit_is_not_seen_until_the_version_is_bumped():
    registry.get_lifecycle("incident")
    allow_incident_to_resolved()
    assert not registry.get_lifecycle("incident").can_transition("incident", "resolved")


def test_bump_version_makes_a_saved_edit_visible():
    registry.get_lifecycle("incident")
    allow_incident_to_resolved()
    registry.bump_version()
    assert registry.get_lifecycle("incident").can_transition("incident", "resolved")


def test_clear_cache_makes_a_saved_edit_visible():
    registry.get_lifecycle("incident")
    allow_incident_to_resolved()
    registry.clear_cache()
    assert registry.get_lifecycle("incident").can_transition("incident", "resolved")


def test_lost_version_key_forces_a_reload():
    registry.get_lifecycle("incident")
    allow_incident_to_resolved()
    cache.delete(registry.VERSION_KEY)
    assert registry.get_lifecycle("incident").can_transition("incident", "resolved")


def test_bump_version_works_when_the_key_is_missing():
    cache.delete(registry.VERSION_KEY)
    registry.bump_version()
    assert cache.get(registry.VERSION_KEY) is not None


def test_invalid_row_fails_only_its_own_lookup():
    Lifecycle.objects.filter(name="incident").update(defaults={})
    with pytest.raises(LifecycleError, match="defaults must set 'on_create'"):
        registry.get_lifecycle("incident")
    assert registry.get_lifecycle("default").is_valid("stalled")


def test_lifecycle_names_lists_usable_lifecycles():
    assert registry.lifecycle_names() == ("default", "incident")


def test_map_status_follows_the_stored_map():
    assert registry.map_status("default", "incident", "stalled") == "triage"
    assert registry.map_status("incident", "default", "post-incident") == "open"


def test_map_status_within_one_lifecycle_keeps_the_status():
    assert registry.map_status("incident", "incident", "closing") == "closing"


def test_map_status_without_a_map_is_none():
    assert registry.map_status("default", "assets", "open") is None


def test_map_status_for_an_unmapped_status_is_none():
    assert registry.map_status("default", "incident", "bogus") is None


def test_all_declared_rights_unions_every_lifecycle():
    assert registry.all_declared_rights() == {
        "DeleteTicket",
        "ModifyTicket",
        "DeclareIncident",
        "CloseIncident",
        "RejectTicket",
        "ReopenIncident",
    }
