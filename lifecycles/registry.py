"""The read API other apps use: lifecycles by name, status maps and the rights lifecycles declare.

Lifecycles are read on every status change, so each process keeps them in memory. A version
number in Django's cache tells every process when an edit was saved: `bump_version()` after a
save, and the next lookup in any process sees a different version and reloads everything.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.core.cache import cache

from lifecycles import engine
from lifecycles.models import Lifecycle, LifecycleMap

logger = logging.getLogger(__name__)

VERSION_KEY = "lifecycles:version"


@dataclass
class _Snapshot:
    version: int
    lifecycles: dict[str, engine.Lifecycle]
    # Invalid rows (edited outside the admin) fail on lookup, not for every lifecycle.
    broken: dict[str, engine.LifecycleError]
    # Loaded on first use: maps are needed only when tickets move between queues.
    maps: dict[tuple[str, str], dict[str, str]] | None = field(default=None)


_snapshot: _Snapshot | None = None


def _current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh, time-based start so a value lost from the cache never matches a stale copy.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _load(version: int) -> _Snapshot:
    lifecycles: dict[str, engine.Lifecycle] = {}
    broken: dict[str, engine.LifecycleError] = {}
    for row in Lifecycle.objects.all():
        try:
            lifecycles[row.name] = row.as_engine()
        except engine.LifecycleError as exc:
            logger.warning("Ignoring invalid lifecycle %r: %s", row.name, exc)
            broken[row.name] = exc
    return _Snapshot(version=version, lifecycles=lifecycles, broken=broken)


def _get_snapshot() -> _Snapshot:
    global _snapshot  # one per-process copy is the point
    version = _current_version()
    snapshot = _snapshot
    if snapshot is None or snapshot.version != version:
        # Replaced whole, never mutated in place, so concurrent readers see old or new.
        snapshot = _snapshot = _load(version)
    return snapshot


def bump_version() -> None:
    """Tell every process that lifecycles or maps changed. Call after the change commits."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key is missing (first use, or evicted)
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def clear_cache() -> None:
    """Forget this process's copy; the next lookup reloads from the database."""
    global _snapshot
    _snapshot = None


def get_lifecycle(name: str) -> engine.Lifecycle:
    """The lifecycle called `name`; LookupError if there is none, LifecycleError if it is invalid."""
    snapshot = _get_snapshot()
    try:
        return snapshot.lifecycles[name]
    except KeyError:
        if name in snapshot.broken:
            raise snapshot.broken[name] from None
        raise LookupError(f"There is no lifecycle called '{name}'.") from None


def lifecycle_names() -> tuple[str, ...]:
    """Names of the usable lifecycles, sorted."""
    return tuple(sorted(_get_snapshot().lifecycles))


def map_status(source: str, target: str, status: str) -> str | None:
    """The status a ticket in `status` gets when moving from lifecycle `source` to `target`.

    None when there is no map between the two or the map leaves `status` out.
    """
    if source == target:
        return status
    snapshot = _get_snapshot()
    if snapshot.maps is None:
        snapshot.maps = {
            (source_name, target_name): mapping
            for source_name, target_name, mapping in LifecycleMap.objects.values_list(
                "source__name", "target__name", "mapping"
            )
            if isinstance(mapping, dict)
        }
    mapping = snapshot.maps.get((source, target))
    return None if mapping is None else engine.map_status(mapping, status)


def all_declared_rights() -> frozenset[str]:
    """Every right named by any lifecycle, to be offered as a queue-level right."""
    rights: frozenset[str] = frozenset()
    for lifecycle in _get_snapshot().lifecycles.values():
        rights |= lifecycle.declared_rights()
    return rights
