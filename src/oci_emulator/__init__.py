"""oci_emulator: a local emulator of the OCI REST APIs the real ``oci`` SDK talks to, on 127.0.0.1 only."""

from __future__ import annotations

from oci_emulator.core.faults import Faults
from oci_emulator.core.journal import Journal, JournalEntry
from oci_emulator.emulator import Emulator
from oci_emulator.model.mutate import MutationSummary
from oci_emulator.model.tenancy import TenancyModel

__all__ = ["Emulator", "Faults", "Journal", "JournalEntry", "MutationSummary", "TenancyModel"]
