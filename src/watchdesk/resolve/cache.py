"""A bounded least-recently-used mapping for the resolver's recomputable caches."""
from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """At most ``size`` entries; reading an entry makes it the most recent, adding one beyond
    the bound drops the least recent. Only for values that can be recomputed when dropped.
    Entries set with ``pin=True`` (the costly ones to recompute) are kept outside the bound."""

    __slots__ = ("size", "_data", "_pinned")

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: dict[K, V] = {}
        self._pinned: dict[K, V] = {}

    def __contains__(self, key: K) -> bool:
        return key in self._data or key in self._pinned

    def __len__(self) -> int:
        return len(self._data) + len(self._pinned)

    def get(self, key: K) -> V | None:
        """The value (now the most recent), or None."""
        value = self._pinned.get(key)
        if value is not None:
            return value
        value = self._data.pop(key, None)
        if value is not None:
            self._data[key] = value
        return value

    def pop(self, key: K) -> V | None:
        """Remove an entry; its value, or None."""
        value = self._pinned.pop(key, None)
        return self._data.pop(key, None) if value is None else value

    def set(self, key: K, value: V, pin: bool = False) -> None:
        """Add or replace an entry; a pinned one is never dropped (until ``pop``)."""
        self.pop(key)
        if pin:
            self._pinned[key] = value
            return
        data = self._data
        data[key] = value
        if len(data) > self.size:
            del data[next(iter(data))]

    def __setitem__(self, key: K, value: V) -> None:
        self.set(key, value)
