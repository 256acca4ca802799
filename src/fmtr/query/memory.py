"""What a long-running process keeps in memory between questions, within a budget of bytes.

A server asked thousands of distinct questions must not grow with them: a cache bounded by a
count of entries is bounded in bytes only as far as its largest entry is (issue 16: 4,096
answers of up to 512 KB took a process from 296 to 660 MiB, 20,000 word sets of ~105 KB from
660 to 1,646 MiB). ``BoundedCache`` counts the bytes each entry holds, as its caller measures
them, and drops the least recently used entries past its budget.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# What an entry costs besides its value: the key's tuple and the ordered dict's node, measured
# on CPython 3.12 (about 150 bytes); rounded up.
ENTRY_BYTES = 200


class BoundedCache(Generic[K, V]):
    """Values by key, at most ``max_bytes`` of them (each entry's ``size`` as given to ``put``
    plus ENTRY_BYTES), least recently used out first. Safe to share between threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value`` (``size`` bytes, as the caller measures it); False when it alone is
        over the budget and is not kept."""
        cost = size + ENTRY_BYTES
        if cost > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def resize(self, max_bytes: int) -> None:
        """A new budget; entries past it go at once."""
        with self._lock:
            self.max_bytes = max_bytes
            while self.bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped


def size_of_strings(values: Any) -> int:
    """Bytes of a list of strings (the list and each string)."""
    return sys.getsizeof(values) + sum(sys.getsizeof(v) for v in values)
