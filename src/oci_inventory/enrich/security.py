"""Security enrichers: vaults, keys, secrets, bastions, certificates and network firewalls.

Rows where one ``get`` says it all; two classes for KMS:

* ``Vault``: ``KmsVaultClient.get_vault``, shared with the Key enricher through the run context (one ``get`` per
  vault and run, whichever asks first).
* ``Key``: a key is served only by its vault's own management endpoint
  (``KmsManagementClient(service_endpoint=vault.managementEndpoint).get_key``), and neither the key OCID nor the
  default Search summary names the vault. The vault is ``additionalDetails.vaultId`` when Search sent it (it does
  for ``return allAdditionalFields`` queries); otherwise the key's compartment is searched, then its ancestors, then
  the other compartments (``oci/holders.py``): ``list_vaults`` once per run, region and compartment, and each vault's
  ``list_keys`` of the key's compartment once per run, until a vault lists the key. The client is built by the run's
  factory (same signer, retries, timeouts); with ``--endpoint-template`` the management endpoint is mapped through
  the template alone (``ClientFactory.resource_endpoint``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from oci_inventory.enrich.base import (
    EdgeSpec,
    EnrichContext,
    Enricher,
    EnrichResult,
    EnrichStatus,
    GetSpec,
    Summary,
    call_get,
    details_of,
    edges_from,
    load_class,
    read_path,
)
from oci_inventory.enrich.registry import register, register_spec
from oci_inventory.enrich.relations import ENCRYPTED_BY, IN_NSG, IN_SUBNET, IN_VAULT
from oci_inventory.oci.holders import listing_or_empty, search_order
from oci_inventory.util.pagination import list_all

KMS_VAULT = "oci.key_management.KmsVaultClient"
KMS_MANAGEMENT = "oci.key_management.KmsManagementClient"
NO_KEYS = frozenset({"CREATING", "DELETING", "DELETED"})  # vault states whose management endpoint holds no keys

Wire = dict[str, Any]

SPECS = (
    GetSpec(
        "VaultSecret",
        "oci.vault.VaultsClient",
        "get_secret",
        edges=(EdgeSpec(IN_VAULT, "vaultId", "Vault"), EdgeSpec(ENCRYPTED_BY, "keyId", "Key")),
    ),
    GetSpec(
        "Bastion", "oci.bastion.BastionClient", "get_bastion", edges=(EdgeSpec(IN_SUBNET, "targetSubnetId", "Subnet"),)
    ),
    GetSpec("Certificate", "oci.certificates_management.CertificatesManagementClient", "get_certificate"),
    GetSpec(
        "NetworkFirewall",
        "oci.network_firewall.NetworkFirewallClient",
        "get_network_firewall",
        edges=(
            EdgeSpec(IN_SUBNET, "subnetId", "Subnet"),
            EdgeSpec(IN_NSG, "networkSecurityGroupIds", "NetworkSecurityGroup"),
        ),
    ),
)

for _spec in SPECS:
    register_spec(_spec)

KEY_EDGES = (EdgeSpec(IN_VAULT, "vaultId", "Vault"),)


def as_wire(data: Any) -> Wire:
    return data if isinstance(data, dict) else {"value": data}


def vault_answer(ctx: EnrichContext, vault_id: str) -> Wire:
    """The vault's ``get`` answer (wire JSON), fetched once per run and vault."""
    return ctx.run.once(("kms:vault", vault_id), lambda: as_wire(call_get(ctx, KMS_VAULT, "get_vault", vault_id)))


def management_client(ctx: EnrichContext, endpoint: str) -> Any:
    """A raw ``KmsManagementClient`` for one vault's management endpoint, from the run's factory."""
    return ctx.factory.client(load_class(KMS_MANAGEMENT), ctx.region, raw=True, service_endpoint=endpoint)


def vaults_in(ctx: EnrichContext, compartment_id: str, own: bool) -> list[Wire]:
    """The vaults of a compartment in the context's region that may hold keys (listed once per run). A compartment
    other than the key's own that refuses the listing is passed over."""

    def load() -> list[Wire]:
        client = ctx.client(KMS_VAULT)
        return [v for v in list_all(client.list_vaults, compartment_id) if isinstance(v, dict)]

    vaults = listing_or_empty(ctx.run.once, ("kms:vaults", ctx.region, compartment_id), load, own=own)
    return [v for v in vaults if isinstance(v.get("id"), str) and v.get("lifecycleState") not in NO_KEYS]


def keys_in(ctx: EnrichContext, vault: Wire, compartment_id: str) -> frozenset[str]:
    """The OCIDs of the keys a vault holds in a compartment (``list_keys`` on its endpoint, once per run)."""

    def load() -> frozenset[str]:
        endpoint = vault.get("managementEndpoint")
        if not isinstance(endpoint, str):
            return frozenset()
        keys = list_all(management_client(ctx, endpoint).list_keys, compartment_id)
        return frozenset(k["id"] for k in keys if isinstance(k, dict) and isinstance(k.get("id"), str))

    return ctx.run.once(("kms:keys", vault["id"], compartment_id), load)


def candidate_vaults(ctx: EnrichContext, compartment_id: str) -> Iterator[Wire]:
    tree = ctx.run.tree
    for candidate in search_order(tree, compartment_id, ctx.tenancy_id):
        yield from vaults_in(ctx, candidate, own=candidate == compartment_id)


class VaultNotFound(LookupError):
    """No vault the run can list holds the key."""


def vault_of_key(summary: Summary, ctx: EnrichContext) -> str:
    """The OCID of the vault holding the key (see the module docstring for the search)."""
    hinted = read_path(summary, "additionalDetails.vaultId")
    if isinstance(hinted, str) and hinted.startswith("ocid1."):
        return hinted
    key_id, compartment_id = str(summary["identifier"]), str(summary.get("compartmentId") or ctx.tenancy_id)
    for vault in candidate_vaults(ctx, compartment_id):
        if key_id in keys_in(ctx, vault, compartment_id):
            return str(vault["id"])
    raise VaultNotFound(f"no vault of {ctx.region} lists key {key_id} in compartment {compartment_id}")


@register("Vault")
class VaultEnricher(Enricher):
    """``get_vault``, shared with the Key enricher (one call per vault and run)."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        vault = vault_answer(ctx, str(summary["identifier"]))
        return EnrichResult(EnrichStatus.OK, details_of(summary, vault))


@register("Key")
class KeyEnricher(Enricher):
    """``get_key`` on the management endpoint of the key's vault; edge IN_VAULT."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        vault_id = vault_of_key(summary, ctx)
        endpoint = vault_answer(ctx, vault_id).get("managementEndpoint")
        if not isinstance(endpoint, str) or not endpoint:
            raise VaultNotFound(f"vault {vault_id} answered without a managementEndpoint")
        key = as_wire(management_client(ctx, endpoint).get_key(str(summary["identifier"])).data)
        return EnrichResult(EnrichStatus.OK, details_of(summary, key), edges_from(key, KEY_EDGES))
