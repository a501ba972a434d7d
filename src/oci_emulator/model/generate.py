"""Deterministic generation of a TenancyModel from (seed, size, regions, home_region)."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from oci_emulator.model import catalog
from oci_emulator.model.regions import REGIONS, availability_domains
from oci_emulator.model.tenancy import IAM_KINDS, Record, TenancyModel

_EPOCH = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp() * 1000)
_SPAN_MS = 3 * 365 * 24 * 3600 * 1000

HAZARDOUS_NAMES = (
    "café-é-résumé",
    "日本-サーバー",
    "rocket 🚀 box",
    "a,b,c",
    'say "hello"',
    "line one\nline two",
    "=1+2",
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "tab\there",
)
_COMPARTMENT_NAMES = ("prod", "dev", "test", "shared", "network", "security", "finanças", "開発", "Ωmega", "data")
#: Types whose name is their address (a bucket is read by name): never generated without one.
NAMED_TYPES = frozenset({"Bucket"})
_PREFIXES = ("prod", "dev", "test", "stage", "shared", "ops", "web", "db", "app", "batch")


class Ids:
    """Realistic OCIDs from a seeded RNG: ``ocid1.<type>.oc1.<region key>.aaaaaaaa<52 base32 chars>``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def unique(self) -> str:
        raw = self.rng.getrandbits(260).to_bytes(33, "big")
        return "aaaaaaaa" + base64.b32encode(raw).decode("ascii")[:52].lower()

    def ocid(self, ocid_type: str, region: str | None) -> str:
        key = REGIONS[region].lower() if region else ""
        return f"ocid1.{ocid_type}.oc1.{key}.{self.unique()}"


def iso_ms(ms: int) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class Generator:
    """Draws names, times, tags and states; shared by the initial build and by mutate()."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = Ids(rng)
        self._cum = list(accumulate(t.weight for t in catalog.REGIONAL_TYPES))

    def time_created(self) -> str:
        return iso_ms(_EPOCH + self.rng.randrange(_SPAN_MS))

    def name(self, stem: str, n: int) -> str:
        if self.rng.random() < 0.04:
            return self.rng.choice(HAZARDOUS_NAMES) + f" {n}"
        return f"{self.rng.choice(_PREFIXES)}-{stem}-{n:04d}"

    def state(self, spec: catalog.TypeSpec) -> str:
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice(spec.dead)
        if r < 0.85 or len(spec.live) == 1:
            return spec.live[0]
        return self.rng.choice(spec.live[1:])

    def freeform_tags(self) -> dict[str, str]:
        r = self.rng.random()
        if r < 0.6:
            return {}
        tags = {"env": self.rng.choice(("prod", "dev", "test")), "owner": f"team-{self.rng.randrange(20)}"}
        if r > 0.95:
            tags["note"] = self.rng.choice(HAZARDOUS_NAMES)
        return tags

    def defined_tags(self) -> dict[str, dict[str, Any]]:
        if self.rng.random() < 0.75:
            return {}
        return {"Operations": {"CostCenter": str(self.rng.randrange(100, 999))}}

    def regional_type(self) -> catalog.TypeSpec:
        return self.rng.choices(catalog.REGIONAL_TYPES, cum_weights=self._cum)[0]

    def resource(self, n: int, regions: tuple[str, ...], compartments: list[str]) -> Record:
        spec = self.regional_type()
        region = self.rng.choice(regions)
        rec: Record = {
            "resourceType": spec.name,
            "identifier": self.ids.ocid(spec.ocid_type, region),
            "compartmentId": self.rng.choice(compartments),
            "displayName": None if self.rng.random() < 0.01 else self.name(spec.name.lower(), n),
            "availabilityDomain": self.rng.choice(availability_domains(region)) if spec.scope == "ad" else None,
            "lifecycleState": self.state(spec),
            "freeformTags": self.freeform_tags(),
            "definedTags": self.defined_tags(),
            "systemTags": {"orcl-cloud": {"free-tier-retained": "true"}} if self.rng.random() < 0.05 else {},
            "identityContext": {},
            "searchContext": None,
            "additionalDetails": None,
        }
        if self.rng.random() >= 0.01:
            rec["timeCreated"] = self.time_created()
        if rec["displayName"] is None and spec.name in NAMED_TYPES:  # draws nothing: the rest stays the same
            rec["displayName"] = f"{spec.name.lower()}-{n:04d}"
        return rec


def _iam_summary(kind: str, rec: Record) -> Record:
    rtype = {"users": "User", "groups": "Group", "policies": "Policy", "dynamicGroups": "DynamicResourceGroup"}
    return {
        "resourceType": rtype.get(kind, "TagNamespace") if kind != "compartments" else "Compartment",
        "identifier": rec["id"],
        "compartmentId": rec["compartmentId"],
        "timeCreated": rec["timeCreated"],
        "displayName": rec["name"],
        "availabilityDomain": None,
        "lifecycleState": rec["lifecycleState"],
        "freeformTags": rec.get("freeformTags") or {},
        "definedTags": rec.get("definedTags") or {},
        "systemTags": {},
        "identityContext": {},
        "searchContext": None,
        "additionalDetails": None,
    }


def _compartments(gen: Generator, tenancy_id: str, count: int) -> list[Record]:
    depth = {tenancy_id: 0}
    parents = [tenancy_id]  # compartments that may still get children (depth < 5)
    out: list[Record] = []
    for n in range(count):
        parent = gen.rng.choice(parents)
        cid = gen.ids.ocid("compartment", None)
        depth[cid] = depth[parent] + 1
        if depth[cid] < 5:
            parents.append(cid)
        state = "DELETED" if gen.rng.random() < 0.08 else "ACTIVE"
        out.append(
            {
                "id": cid,
                "compartmentId": parent,
                "name": f"{gen.rng.choice(_COMPARTMENT_NAMES)}-{n:03d}",
                "description": f"Emulated compartment {n}",
                "timeCreated": gen.time_created(),
                "lifecycleState": state,
                "inactiveStatus": None,
                "isAccessible": True,
                "freeformTags": gen.freeform_tags(),
                "definedTags": {},
            }
        )
    return out


def _iam(gen: Generator, tenancy_id: str, size: int, compartment_ids: list[str]) -> dict[str, dict[str, Record]]:
    iam: dict[str, dict[str, Record]] = {kind: {} for kind in IAM_KINDS}
    counts = {
        "users": 3 + size // 100,
        "groups": 2 + size // 200,
        "policies": 2 + size // 100,
        "dynamicGroups": 2 + size // 500,
        "tagNamespaces": 2 + size // 1000,
    }
    ocid_type = {
        "users": "user",
        "groups": "group",
        "policies": "policy",
        "dynamicGroups": "dynamicgroup",
        "tagNamespaces": "tagnamespace",
    }
    for kind, count in counts.items():
        for n in range(count):
            oid = gen.ids.ocid(ocid_type[kind], None)
            compartment = (
                tenancy_id if kind in ("users", "groups", "dynamicGroups") else gen.rng.choice(compartment_ids)
            )
            live = gen.rng.random() >= 0.05 or n == 0
            rec: Record = {
                "id": oid,
                "compartmentId": compartment,
                "name": "emulator-api-user" if (kind == "users" and n == 0) else gen.name(kind[:-1].lower(), n),
                "description": f"Emulated {kind[:-1]} {n}",
                "timeCreated": gen.time_created(),
                "lifecycleState": "ACTIVE" if live else "DELETED",
                "inactiveStatus": None,
                "freeformTags": gen.freeform_tags(),
                "definedTags": {},
            }
            if kind == "users":
                rec.update(email=f"user{n}@example.com", emailVerified=True, isMfaActivated=n % 3 == 0)
            elif kind == "policies":
                rec["statements"] = [f"Allow group Admins-{n} to manage all-resources in tenancy"]
            elif kind == "dynamicGroups":
                rec["matchingRule"] = f"ALL {{instance.compartment.id = '{compartment}'}}"
            elif kind == "tagNamespaces":
                rec.update(isRetired=False)
                rec.pop("inactiveStatus")
            iam[kind][oid] = rec
    return iam


#: A resource of the key type cannot exist without a live one of the value type in its region (a log needs a log
#: group, a key a vault, ...). The generator draws types independently, so :func:`ensure_containers` mends that.
CONTAINERS = {
    "Log": "LogGroup",
    "Key": "Vault",
    "VaultSecret": "Vault",
    "FunctionsFunction": "FunctionsApplication",
    "ApiDeployment": "ApiGateway",
    "DbNode": "DbSystem",
    "ClustersVirtualNodePool": "ClustersCluster",
}


def ensure_containers(resources: list[Record]) -> None:
    """Where a region has a live dependent but no live container, the first such dependent becomes the container
    (same OCID body, the container's type segment and a live state). Deterministic; draws no random numbers."""
    from oci_emulator.model.tenancy import region_of

    def live(r: Record) -> bool:
        return str(r.get("lifecycleState") or "").upper() not in ("TERMINATED", "DELETED")

    have = {(region_of(r["identifier"]), r["resourceType"]) for r in resources if live(r)}
    for i, rec in enumerate(resources):
        container = CONTAINERS.get(rec["resourceType"])
        region = region_of(rec["identifier"])
        if container is None or not live(rec) or (region, container) in have:
            continue
        spec = catalog.lookup(container)
        if spec is None:
            continue
        parts = rec["identifier"].split(".")
        parts[1] = spec.ocid_type
        resources[i] = {**rec, "resourceType": spec.name, "identifier": ".".join(parts), "lifecycleState": spec.live[0]}
        if spec.scope != "ad":
            resources[i]["availabilityDomain"] = None
        have.add((region, container))
    _colocate(resources, live)


#: Dependents that live in a compartment holding their container (a log is always in its log group's compartment;
#: keys are kept with their vault), so that finding the container takes one listing.
COLOCATED = {"Log": "LogGroup", "Key": "Vault"}


def _colocate(resources: list[Record], live: Callable[[Record], bool]) -> None:
    from oci_emulator.model.tenancy import region_of

    homes: dict[tuple[str | None, str], list[str]] = {}
    for rec in sorted(resources, key=lambda r: r["identifier"]):
        if rec["resourceType"] in COLOCATED.values() and live(rec):
            homes.setdefault((region_of(rec["identifier"]), rec["resourceType"]), []).append(rec["compartmentId"])
    for i, rec in enumerate(resources):
        container = COLOCATED.get(rec["resourceType"])
        if container is None:
            continue
        compartments = homes.get((region_of(rec["identifier"]), container), [])
        if compartments and rec["compartmentId"] not in compartments:
            resources[i] = {**rec, "compartmentId": compartments[0]}


def build_model(seed: int, size: int, regions: tuple[str, ...], home_region: str | None = None) -> TenancyModel:
    """Build the tenancy deterministically; ~1 s per 50,000 resources."""
    if not regions:
        raise ValueError("at least one region is required")
    unknown = [r for r in regions if r not in REGIONS]
    if unknown:
        raise ValueError(f"unknown region(s): {', '.join(unknown)}")
    home = home_region or regions[0]
    if home not in regions:
        raise ValueError(f"home region {home} is not among the subscribed regions")
    gen = Generator(random.Random(seed))
    tenancy_id = gen.ids.ocid("tenancy", None)
    tenancy: Record = {
        "id": tenancy_id,
        "name": f"emulated-tenancy-{seed}",
        "description": "Tenancy served by oci_emulator",
        "homeRegionKey": REGIONS[home],
        "upiIdcsCompatibilityLayerEndpoint": None,
        "freeformTags": {},
        "definedTags": {},
    }
    compartments = _compartments(gen, tenancy_id, max(3, size // 40))
    active = [tenancy_id] + [c["id"] for c in compartments if c["lifecycleState"] == "ACTIVE"]
    iam = _iam(gen, tenancy_id, size, active)
    resources: list[Record] = [_iam_summary("compartments", c) for c in compartments]
    for kind, records in iam.items():
        resources.extend(_iam_summary(kind, rec) for rec in records.values())
    iam_count = sum(len(v) for v in iam.values())
    resources.extend(gen.resource(n, regions, active) for n in range(max(0, size - iam_count)))
    ensure_containers(resources)
    return TenancyModel(
        seed=seed,
        size=size,
        regions=tuple(regions),
        home_region=home,
        tenancy=tenancy,
        api_user_id=next(iter(iam["users"])),
        instance_id=gen.ids.ocid("instance", home),
        compartments=compartments,
        iam=iam,
        resources=resources,
    )
