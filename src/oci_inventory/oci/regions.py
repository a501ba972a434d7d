"""Subscribed regions: list them once, pick the home region, validate ``--regions``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from oci_inventory.oci.clients import ClientFactory
from oci_inventory.util.errors import ConfigError


@dataclass(frozen=True)
class RegionInfo:
    name: str
    key: str
    is_home: bool
    status: str


def list_subscriptions(factory: ClientFactory) -> list[RegionInfo]:
    """The tenancy's region subscriptions, sorted home first then by name.

    Called before the home region is known, so it goes to the region of the credentials, as the OCI CLI does.
    """
    import oci

    identity = factory.client(oci.identity.IdentityClient, factory.auth.region)
    data: list[Any] = identity.list_region_subscriptions(factory.auth.tenancy_id).data
    regions = [RegionInfo(s.region_name, s.region_key, bool(s.is_home_region), str(s.status)) for s in data]
    return sorted(regions, key=lambda r: (not r.is_home, r.name))


def home_region(subscriptions: Sequence[RegionInfo], fallback: str) -> str:
    return next((r.name for r in subscriptions if r.is_home), fallback)


def select_regions(subscriptions: Sequence[RegionInfo], requested: Sequence[str] | None) -> list[str]:
    """The READY subscribed regions, or the requested subset (sorted). Unknown names are a usage error."""
    ready = sorted(r.name for r in subscriptions if r.status == "READY")
    if not requested:
        return ready
    wanted: list[str] = []
    bad: list[str] = []
    for name in requested:
        name = name.strip().lower()
        if name in ready:
            if name not in wanted:
                wanted.append(name)
        else:
            bad.append(name)
    if bad:
        raise ConfigError(
            f"region(s) {', '.join(bad)} not subscribed or not READY in this tenancy",
            hint=f"--regions takes a comma list of: {', '.join(ready)}",
        )
    return sorted(wanted)
