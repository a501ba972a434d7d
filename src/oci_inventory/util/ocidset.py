"""A set of strings (OCIDs) that holds no Python object per member: 8 bytes per slot in one ``array``.

The de-duplication of a run and the graph export each need "have I seen this OCID?" for up to millions of
OCIDs. A ``set[str]`` costs about 100 bytes per member (the string, its hash entry); this set keeps only each
member's 64-bit hash in an open-addressing table (linear probing, at most half full), about 16-32 bytes per
member, with no per-member allocation.

It is a hash set, so two different OCIDs with the same 64-bit hash are taken as one: with Python's SipHash
that happens with probability about n² / 2⁶⁵ in a run of n OCIDs (3 × 10⁻⁸ at a million, 7 × 10⁻⁷ at five
million). Not thread-safe: callers hold their own lock or use it from one thread.
"""

from __future__ import annotations

from array import array

_EMPTY = 0
_MIN_CAPACITY = 1 << 10


def _slot_hash(key: str) -> int:
    return hash(key) or 1  # 0 marks an empty slot


class OcidSet:
    """``add`` (True when new) and ``in``, on 64-bit hashes in a flat table."""

    def __init__(self, capacity: int = _MIN_CAPACITY) -> None:
        size = _MIN_CAPACITY
        while size < capacity * 2:
            size <<= 1
        self._slots = array("q", bytes(8 * size))
        self._mask = size - 1
        self._len = 0

    def __len__(self) -> int:
        return self._len

    @property
    def nbytes(self) -> int:
        """Memory held by the table."""
        return self._slots.itemsize * len(self._slots)

    def _find(self, h: int) -> int:
        """The slot holding ``h``, or the empty slot where it would go."""
        slots, mask = self._slots, self._mask
        i = h & mask
        while True:
            value = slots[i]
            if value in (h, _EMPTY):
                return i
            i = (i + 1) & mask

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        h = _slot_hash(key)
        return self._slots[self._find(h)] == h

    def add(self, key: str) -> bool:
        """Add ``key``; True when it was not a member."""
        h = _slot_hash(key)
        i = self._find(h)
        if self._slots[i] == h:
            return False
        self._slots[i] = h
        self._len += 1
        if self._len * 2 > self._mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        size = len(old) * 2
        self._slots = array("q", bytes(8 * size))
        self._mask = size - 1
        slots, mask = self._slots, self._mask
        for h in old:
            if h != _EMPTY:
                i = h & mask
                while slots[i] != _EMPTY:
                    i = (i + 1) & mask
                slots[i] = h
