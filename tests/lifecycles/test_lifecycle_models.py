"""The models: shipped rows from the data migration, and clean() in engine terms."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lifecycles.defaults import INCIDENT, LIFECYCLES, MAPS
from lifecycles.engine import Lifecycle as EngineLifecycle
from lifecycles.models import Lifecycle, LifecycleMap

pytestmark = pytest.mark.django_db


def make_lifecycle(name, definition):
    return Lifecycle(name=name, **definition)


def test_data_migration_creates_shipped_lifecycles():
    assert sorted(Lifecycle.objects.values_list("name", flat=True)) == sorted(
        LIFECYCLES
    )


@pytest.mark.parametrize("name", list(LIFECYCLES))
def test_shipped_lifecycle_row_holds_the_shipped_definition(name):
    assert Lifecycle.objects.get(name=name).definition == LIFECYCLES[name]


def test_data_migration_creates_both_maps():
    rows = {
        (m.source.name, m.target.name): m.mapping
        for m in LifecycleMap.objects.select_related("source", "target")
    }
    assert rows == MAPS


def test_as_engine_builds_the_engine_lifecycle():
    row = Lifecycle.objects.get(name="incident")
    assert row.as_engine() == EngineLifecycle.from_definition("incident", INCIDENT)


def test_lifecycle_str_is_its_name():
    assert str(Lifecycle.objects.get(name="default")) == "default"


def test_map_str_names_both_lifecycles():
    row = LifecycleMap.objects.get(source__name="default", target__name="incident")
    assert str(row) == "default -> incident"


def test_clean_accepts_valid_definition(small_definition):
    make_lifecycle("small", small_definition).full_clean()


def test_clean_reports_engine_messages(small_definition):
    small_definition["transitions"]["open"].append("closd")
    with pytest.raises(ValidationError) as excinfo:
        make_lifecycle("small", small_definition).full_clean()
    assert excinfo.value.messages == [
        "transition from 'open' names unknown status 'closd'"
    ]


def test_clean_survives_null_json(small_definition):
    row = make_lifecycle("small", small_definition)
    row.initial = None
    with pytest.raises(ValidationError) as excinfo:
        row.clean()
    assert "'initial' must be a list of statuses" in excinfo.value.messages


def test_lifecycle_name_must_be_a_slug(small_definition):
    with pytest.raises(ValidationError) as excinfo:
        make_lifecycle("not a slug", small_definition).full_clean()
    assert "name" in excinfo.value.message_dict


def test_shipped_maps_pass_clean():
    for row in LifecycleMap.objects.all():
        row.full_clean()


def map_between(mapping):
    return LifecycleMap(
        source=Lifecycle.objects.get(name="incident"),
        target=Lifecycle.objects.get(name="default"),
        mapping=mapping,
    )


def test_map_clean_rejects_map_missing_a_source_status():
    mapping = dict(MAPS["incident", "default"])
    del mapping["closing"]
    with pytest.raises(ValidationError) as excinfo:
        map_between(mapping).clean()
    assert excinfo.value.messages == ["source status 'closing' is not mapped"]


def test_map_clean_rejects_unknown_target_status():
    mapping = {**MAPS["incident", "default"], "closing": "closed"}
    with pytest.raises(ValidationError) as excinfo:
        map_between(mapping).clean()
    assert excinfo.value.messages == [
        "'closing' maps to unknown target status 'closed'"
    ]


def test_map_clean_rejects_unknown_source_status():
    mapping = {**MAPS["incident", "default"], "stalled": "stalled"}
    with pytest.raises(ValidationError) as excinfo:
        map_between(mapping).clean()
    assert excinfo.value.messages == [
        "'stalled' is not a status of the source lifecycle"
    ]


def test_map_clean_rejects_map_to_the_same_lifecycle():
    row = Lifecycle.objects.get(name="default")
    with pytest.raises(ValidationError, match="no map to itself"):
        LifecycleMap(source=row, target=row, mapping={}).clean()


def test_second_map_for_the_same_pair_is_refused():
    existing = LifecycleMap.objects.get(source__name="default", target__name="incident")
    duplicate = LifecycleMap(
        source=existing.source, target=existing.target, mapping=existing.mapping
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
