"""Networking enrichers (VirtualNetworkClient), declared as table rows."""

from __future__ import annotations

from oci_inventory.enrich.base import GetSpec
from oci_inventory.enrich.registry import register_spec

VIRTUAL_NETWORK = "oci.core.VirtualNetworkClient"

SPECS = (GetSpec("Vcn", VIRTUAL_NETWORK, "get_vcn"),)

for _spec in SPECS:
    register_spec(_spec)
