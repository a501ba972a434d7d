"""Security: vaults and keys (``kms`` and each vault's own management host), secrets, bastions, certificates and
network firewalls.

A vault answers with its own ``managementEndpoint`` (``https://<label>-management.kms.<region>.oraclecloud.com``,
the label derived from the vault's OCID); keys are served there, and only there: ``GetKey``/``ListKeys`` on the
host of another vault answer 404 / leave the key out, as OCI does. The app routes every ``*-management.kms`` host
to :data:`MANAGEMENT`'s router. A key's vault is :func:`vault_of_key` (a vault of its region, the key's compartment
preferred); a secret is encrypted by an ENABLED key and lives in that key's vault. No body carries secret content.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow, ModelRef, common_fields, find
from oci_emulator.services.resources.placing import address_in, child_ocid, nsgs_of_subnet, subnet_in, wire

KMS = "kms"
MANAGEMENT = "*-management.kms"  # every vault's management host: <label>-management.kms
KMS_BASE = "/20180608"
DEFAULT_LIMIT = 100


# ----------------------------------------------------------------------------------------------- shared helpers
def paged(paginator: Paginator, req: Request, items: Sequence[Record], scope: str) -> Response:
    """A bare-array list page with ``opc-next-page`` when another page exists (tokens bound to ``scope``)."""
    page, token = paginator.page(items, req.query.get("limit"), req.query.get("page"), scope, DEFAULT_LIMIT)
    return json_response(list(page), headers={"opc-next-page": token} if token else None, items=len(page))


def in_compartment(refs: Refs, region: str, resource_type: str, compartment_id: str) -> list[Record]:
    """Live resources of a type in one compartment of a region, in OCID order."""
    return [r for r in refs.of_type(region, resource_type) if r.get("compartmentId") == compartment_id]


# ----------------------------------------------------------------------------------------------- vaults and keys
def vault_label(vault_id: str) -> str:
    """The host label of a vault's endpoints (13 lower-case base32 characters, as OCI's look)."""
    digest = hashlib.sha256(vault_id.encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:13]


def management_service(vault_id: str) -> str:
    return f"{vault_label(vault_id)}-management.kms"


def vault_of_key(refs: Refs, key: Record) -> str | None:
    """The vault holding a key: a vault of its region that is past CREATING (of its compartment when there is one)."""
    return refs.pick(key, "Vault", "key-vault:ready", where=lambda v: v.get("lifecycleState") != "CREATING")


def vault(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "vault")
    label, region = vault_label(s["identifier"]), region_of(s["identifier"])
    pending = s.get("lifecycleState") == "PENDING_DELETION"
    return {
        "vaultType": rng.choice(("DEFAULT", "DEFAULT", "VIRTUAL_PRIVATE")),
        "managementEndpoint": f"https://{label}-management.kms.{region}.oraclecloud.com",
        "cryptoEndpoint": f"https://{label}-crypto.kms.{region}.oraclecloud.com",
        "timeOfDeletion": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T00:00:00.000Z" if pending else None,
        "restoredFromVaultId": None,
        "replicaDetails": None,
        "isPrimary": True,
        "isVaultReplicable": False,
        "externalKeyManagerMetadataSummary": None,
    }


def key_summary(refs: Refs, s: Record) -> Record:
    """The fields a ``KeySummary`` (ListKeys) has beyond the common ones."""
    rng = refs.rng(s, "key")
    return {
        "vaultId": vault_of_key(refs, s),
        "protectionMode": rng.choice(("HSM", "HSM", "SOFTWARE")),
        "algorithm": rng.choice(("AES", "AES", "RSA", "ECDSA")),
        "isAutoRotationEnabled": False,
        "externalKeyReferenceDetails": None,
    }


def key(refs: Refs, s: Record) -> Record:
    brief = key_summary(refs, s)
    algorithm = brief.pop("algorithm")
    shape: Record = {"algorithm": algorithm, "length": {"AES": 32, "RSA": 256, "ECDSA": 32}[algorithm]}
    if algorithm == "ECDSA":
        shape["curveId"] = "NIST_P256"
    return {
        **brief,
        "currentKeyVersion": child_ocid(s, "keyversion"),
        "keyShape": shape,
        "timeOfDeletion": None,
        "restoredFromKeyId": None,
        "replicaDetails": None,
        "isPrimary": True,
        "autoKeyRotationDetails": None,
    }


def addressed_vault(refs: Refs, req: Request) -> str:
    """The vault whose management host the request was sent to (404 for any other host)."""
    label = req.service.removesuffix("-management.kms")
    for candidate in refs.of_type(req.region, "Vault"):
        if vault_label(candidate["identifier"]) == label:
            return str(candidate["identifier"])
    raise NotAuthorizedOrNotFound(f"No vault answers at {req.service}")


def get_key(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        vault_id = addressed_vault(refs, req)
        summary = find(refs, "Key", req.params["keyId"], req.region)
        if vault_of_key(refs, summary) != vault_id:
            raise NotAuthorizedOrNotFound(
                f"Authorization failed or requested resource not found: {summary['identifier']}"
            )
        return json_response({**common_fields(summary), **key(refs, summary)})

    return handle


def list_keys(model: ModelRef, paginator: Paginator) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        vault_id = addressed_vault(refs, req)
        compartment_id = req.required("compartmentId")
        keys = [
            {**common_fields(k), **key_summary(refs, k)}
            for k in in_compartment(refs, req.region, "Key", compartment_id)
            if vault_of_key(refs, k) == vault_id
        ]
        return paged(paginator, req, keys, f"ListKeys|{vault_id}|{compartment_id}")

    return handle


def list_vaults(model: ModelRef, paginator: Paginator) -> Callable[[Request], Response]:
    summary_fields = ("vaultType", "managementEndpoint", "cryptoEndpoint", "externalKeyManagerMetadataSummary")

    def handle(req: Request) -> Response:
        refs = Refs(model())
        compartment_id = req.required("compartmentId")
        vaults = []
        for v in in_compartment(refs, req.region, "Vault", compartment_id):
            body = vault(refs, v)
            vaults.append({**common_fields(v), **{name: body[name] for name in summary_fields}})
        return paged(paginator, req, vaults, f"ListVaults|{compartment_id}")

    return handle


# ----------------------------------------------------------------------------------------------- other types
def secret(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "secret")
    key_id = refs.pick(s, "Key", "secret-key:enabled", where=lambda k: k.get("lifecycleState") == "ENABLED")
    # A key removed later keeps its vault (the pick is remembered by the key's OCID), so the secret's vault stays.
    key_record = refs.get_any(key_id) if key_id else None
    vault_id = vault_of_key(refs, key_record) if key_record else refs.pick(s, "Vault", "secret-vault")
    return {
        "secretName": f"secret-{rng.randrange(10_000):04d}",
        "description": "Emulated secret (no content is ever served)",
        "vaultId": vault_id,
        "keyId": key_id if vault_id else None,
        "currentVersionNumber": rng.randrange(1, 6),
        "lifecycleDetails": None,
        "metadata": None,
        "replicationConfig": None,
        "isReplica": False,
        "sourceRegionInformation": None,
        "rotationConfig": None,
        "rotationStatus": "NOT_ENABLED",
        "lastRotationTime": None,
        "nextRotationTime": None,
        "secretRules": [],
        "timeOfCurrentVersionExpiry": None,
        "timeOfDeletion": None,
        "secretGenerationContext": None,
        "isAutoGenerationEnabled": False,
    }


def bastion(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "bastion")
    subnet = subnet_in(refs, s, "bastion")
    return {
        "bastionType": "STANDARD",
        "name": s.get("displayName"),
        "targetVcnId": wire(refs, subnet, "vcnId"),
        "targetSubnetId": subnet,
        "phoneBookEntry": None,
        "clientCidrBlockAllowList": [rng.choice(("0.0.0.0/0", "203.0.113.0/24", "198.51.100.0/24"))],
        "staticJumpHostIpAddresses": [],
        "privateEndpointIpAddress": address_in(refs, subnet, rng),
        "maxSessionTtlInSeconds": 10800,
        "maxSessionsAllowed": 20,
        "dnsProxyStatus": "DISABLED",
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "systemTags": {},
        "securityAttributes": {},
    }


def certificate(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "certificate")
    host = f"app{rng.randrange(1000)}.example.com"
    created = s.get("timeCreated")
    return {
        "name": s.get("displayName"),
        "description": "Emulated imported certificate",
        "issuerCertificateAuthorityId": None,
        "certificateRules": [],
        "timeOfDeletion": None,
        "lifecycleDetails": None,
        "currentVersion": {
            "certificateId": s["identifier"],
            "serialNumber": f"{rng.getrandbits(64):016X}",
            "timeCreated": created,
            "versionNumber": 1,
            "issuerCaVersionNumber": None,
            "versionName": None,
            "subjectAlternativeNames": [{"type": "DNS", "value": host}],
            "timeOfDeletion": None,
            "validity": {"timeOfValidityNotBefore": created, "timeOfValidityNotAfter": "2030-01-01T00:00:00.000Z"},
            "stages": ["CURRENT", "LATEST"],
            "revocationStatus": None,
        },
        "subject": {"commonName": host},
        "certificateRevocationListDetails": None,
        "configType": "IMPORTED",
        "keyAlgorithm": "RSA2048",
        "signatureAlgorithm": "SHA256_WITH_RSA",
        "certificateProfileType": None,
    }


def network_firewall(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "firewall")
    subnet = subnet_in(refs, s, "firewall")
    return {
        "subnetId": subnet,
        "ipv4Address": address_in(refs, subnet, rng),
        "ipv6Address": None,
        "networkFirewallPolicyId": None,  # NetworkFirewallPolicy is not a Search type of the emulator
        "availabilityDomain": None,
        "natConfiguration": None,
        "shape": "FIREWALL",
        "networkSecurityGroupIds": nsgs_of_subnet(refs, s, subnet, "firewall-nsg", rng.randrange(0, 3)),
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "systemTags": {},
        "securityAttributes": {},
    }


ROWS = (
    GetRow("Vault", KMS, f"{KMS_BASE}/vaults/{{vaultId}}", "GetVault", vault),
    GetRow("VaultSecret", "vaults", "/20180608/secrets/{secretId}", "GetSecret", secret),
    GetRow("Bastion", "bastion", "/20210331/bastions/{bastionId}", "GetBastion", bastion),
    GetRow(
        "Certificate",
        "certificatesmanagement",
        "/20210224/certificates/{certificateId}",
        "GetCertificate",
        certificate,
    ),
    GetRow(
        "NetworkFirewall",
        "network-firewall",
        "/20230501/networkFirewalls/{networkFirewallId}",
        "GetNetworkFirewall",
        network_firewall,
    ),
)


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    return {
        KMS: [Route("GET", f"{KMS_BASE}/vaults", "ListVaults", list_vaults(model, paginator))],
        MANAGEMENT: [
            Route("GET", f"{KMS_BASE}/keys", "ListKeys", list_keys(model, paginator)),
            Route("GET", f"{KMS_BASE}/keys/{{keyId}}", "GetKey", get_key(model)),
        ],
    }
