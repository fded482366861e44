"""A least-recently-used store with a fixed capacity, whose pinned key is never evicted."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Holds at most `capacity` values; a get or put makes a key the most recently used.

    `pinned` (the picture on show, say) stays however many others arrive after it.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"an LRU needs room for one value at least, not {capacity}")
        self.capacity = capacity
        self.pinned: K | None = None
        self._values: OrderedDict[K, V] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: K) -> V | None:
        if key not in self._values:
            return None
        self._values.move_to_end(key)
        return self._values[key]

    def put(self, key: K, value: V) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        for old in [k for k in self._values if k != self.pinned][: max(len(self._values) - self.capacity, 0)]:
            del self._values[old]

    def clear(self) -> None:
        self._values.clear()
