"""The identity commands as library functions: who am I, which regions, which compartments."""

from __future__ import annotations

from typing import Any

from oci_inventory.oci.clients import ClientFactory
from oci_inventory.oci.compartments import fetch_compartments
from oci_inventory.oci.regions import RegionInfo, home_region, list_subscriptions


def bootstrap(factory: ClientFactory) -> list[RegionInfo]:
    """List subscriptions and route identity calls to the home region from now on."""
    subscriptions = list_subscriptions(factory)
    factory.home_region = home_region(subscriptions, factory.auth.region)
    return subscriptions


def auth_summary(factory: ClientFactory) -> dict[str, Any]:
    """What ``validate-auth`` reports. Proves the credentials by reading the tenancy and its subscriptions."""
    subscriptions = bootstrap(factory)
    tenancy = factory.identity().get_tenancy(factory.auth.tenancy_id).data
    auth = factory.auth
    return {
        "auth_method": auth.method,
        "profile": auth.profile,
        "config_file": auth.config_file,
        "fingerprint": auth.fingerprint,
        "principal": auth.principal,
        "tenancy_name": tenancy.name,
        "tenancy_id": tenancy.id,
        "home_region": factory.home_region,
        "subscribed_regions": len(subscriptions),
        "ready_regions": sum(1 for r in subscriptions if r.status == "READY"),
    }


def region_rows(factory: ClientFactory) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "key": r.key, "home": r.is_home, "status": r.status}
        for r in sorted(bootstrap(factory), key=lambda r: r.name)
    ]


def compartment_rows(factory: ClientFactory, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    """The tree, sorted by path then OCID; ``path`` is ``None`` when an ancestor is not visible."""
    bootstrap(factory)
    tree = fetch_compartments(factory, factory.auth.tenancy_id)
    return [
        {
            "id": c.id,
            "name": c.name,
            "parent_id": c.parent_id,
            "path": c.path,
            "lifecycle_state": c.lifecycle_state,
        }
        for c in tree.compartments
        if include_deleted or c.lifecycle_state != "DELETED"
    ]
