"""IAM enrichers, declared as table rows. IAM reads go to the home region."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec

IDENTITY = "oci.identity.IdentityClient"
IN_COMPARTMENT = EdgeSpec("IN_COMPARTMENT", "compartmentId", "Compartment")

SPECS = (
    GetSpec(
        "Compartment",
        IDENTITY,
        "get_compartment",
        home_region=True,
        edges=(EdgeSpec("CHILD_OF", "compartmentId", "Compartment"),),
    ),
    GetSpec("User", IDENTITY, "get_user", home_region=True, edges=(IN_COMPARTMENT,)),
    GetSpec("Group", IDENTITY, "get_group", home_region=True, edges=(IN_COMPARTMENT,)),
    GetSpec("Policy", IDENTITY, "get_policy", home_region=True, edges=(IN_COMPARTMENT,)),
    GetSpec("DynamicResourceGroup", IDENTITY, "get_dynamic_group", home_region=True, edges=(IN_COMPARTMENT,)),
    GetSpec("TagNamespace", IDENTITY, "get_tag_namespace", home_region=True, edges=(IN_COMPARTMENT,)),
)

for _spec in SPECS:
    register_spec(_spec)
