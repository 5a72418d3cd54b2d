"""RT id -> local id, per kind, backed by ImportedObject rows."""

from __future__ import annotations

from collections import defaultdict

from rtimport.models import ImportedObject


class IdMap:
    def __init__(self, source: str) -> None:
        self.source = source
        self.reload()

    def reload(self) -> None:
        """Reread from the database (after a rolled-back block forgot its rows)."""
        self._maps: defaultdict[str, dict[int, int]] = defaultdict(dict)
        for kind, rt_id, local_id in ImportedObject.objects.filter(
            source=self.source
        ).values_list("kind", "rt_id", "local_id"):
            self._maps[kind][rt_id] = local_id

    def get(self, kind: str, rt_id: int | None) -> int | None:
        if rt_id is None:
            return None
        return self._maps[kind].get(int(rt_id))

    def has(self, kind: str, rt_id: int) -> bool:
        return int(rt_id) in self._maps[kind]

    def remember(self, kind: str, rt_id: int, local_id: int) -> None:
        """Record the mapping in the caller's database transaction."""
        ImportedObject.objects.update_or_create(
            source=self.source,
            kind=kind,
            rt_id=int(rt_id),
            defaults={"local_id": local_id},
        )
        self._maps[kind][int(rt_id)] = local_id
