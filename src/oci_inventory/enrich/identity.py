"""IAM enrichers, declared as table rows. IAM reads go to the home region."""

from __future__ import annotations

from oci_inventory.enrich.base import GetSpec
from oci_inventory.enrich.registry import register_spec

IDENTITY = "oci.identity.IdentityClient"

SPECS = (
    GetSpec("Compartment", IDENTITY, "get_compartment", home_region=True),
    GetSpec("User", IDENTITY, "get_user", home_region=True),
    GetSpec("Group", IDENTITY, "get_group", home_region=True),
    GetSpec("Policy", IDENTITY, "get_policy", home_region=True),
    GetSpec("DynamicResourceGroup", IDENTITY, "get_dynamic_group", home_region=True),
    GetSpec("TagNamespace", IDENTITY, "get_tag_namespace", home_region=True),
)

for _spec in SPECS:
    register_spec(_spec)
