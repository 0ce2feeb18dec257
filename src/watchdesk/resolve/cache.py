"""A bounded least-recently-used mapping for the resolver's recomputable caches."""
from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """At most ``size`` entries; reading an entry makes it the most recent, adding one beyond
    the bound drops the least recent. Only for values that can be recomputed when dropped."""

    __slots__ = ("size", "_data")

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: dict[K, V] = {}

    def __contains__(self, key: K) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        """The value (now the most recent), or None."""
        value = self._data.pop(key, None)
        if value is not None:
            self._data[key] = value
        return value

    def pop(self, key: K) -> V | None:
        """Remove an entry; its value, or None."""
        return self._data.pop(key, None)

    def __setitem__(self, key: K, value: V) -> None:
        data = self._data
        data.pop(key, None)
        data[key] = value
        if len(data) > self.size:
            del data[next(iter(data))]
