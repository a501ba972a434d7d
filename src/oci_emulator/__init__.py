"""oci_emulator: a local emulator of the OCI REST APIs the real ``oci`` SDK talks to, on 127.0.0.1 only.

The public names are imported lazily so that ``oci_emulator.cli`` stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oci_emulator.core.faults import Faults
    from oci_emulator.core.journal import Journal, JournalEntry
    from oci_emulator.emulator import Emulator
    from oci_emulator.model.mutate import MutationSummary
    from oci_emulator.model.tenancy import TenancyModel

_LAZY = {
    "Emulator": "oci_emulator.emulator",
    "Faults": "oci_emulator.core.faults",
    "Journal": "oci_emulator.core.journal",
    "JournalEntry": "oci_emulator.core.journal",
    "MutationSummary": "oci_emulator.model.mutate",
    "TenancyModel": "oci_emulator.model.tenancy",
}
__all__ = ["Emulator", "Faults", "Journal", "JournalEntry", "MutationSummary", "TenancyModel"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'oci_emulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
