"""A thread-safe record of every request the emulator answered."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class JournalEntry:
    method: str
    path: str
    status: int
    service: str  # "identity", "query", ..., "_emulator" for control, "imds"/"auth" for auth endpoints
    region: str
    operation: str  # e.g. "SearchResources", "ListCompartments"; "" when no route matched
    detail: str | None = None  # what the handler kept of the request (GenAI chat: the prompt), else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()
        self._max = max_entries

    def append(self, entry: JournalEntry) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                del self._entries[: self._max // 10]
            self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
