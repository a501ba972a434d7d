"""Get-only resources of the containers family (see ``services/resources/__init__.py``)."""

from __future__ import annotations

from oci_emulator.services.resources import GetRow

ROWS: tuple[GetRow, ...] = ()
