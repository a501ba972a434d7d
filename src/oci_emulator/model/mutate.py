"""Deterministic changes to a TenancyModel: add, remove and change regional resources."""

from __future__ import annotations

import random
from dataclasses import dataclass

from oci_emulator.model import catalog
from oci_emulator.model.generate import CONTAINERS, Generator
from oci_emulator.model.tenancy import TenancyModel, region_of


@dataclass(frozen=True)
class MutationSummary:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def to_dict(self) -> dict[str, list[str]]:
        return {"added": list(self.added), "removed": list(self.removed), "changed": list(self.changed)}


def mutate(model: TenancyModel, seed: int, add: int = 10, remove: int = 5, change: int = 5) -> MutationSummary:
    """Apply the changes in place and bump the model version. Same model + same seed → same result.

    Only regional resources are touched; compartments, IAM resources and containers (``generate.CONTAINERS``) stay
    as they are.
    """
    if min(add, remove, change) < 0:
        raise ValueError("add, remove and change must be >= 0")
    gen = Generator(random.Random(f"mutate:{model.seed}:{model.version}:{seed}"))
    # Containers (a vault, a log group, ...) are never removed or changed: OCI refuses to delete one that still
    # holds resources, and their dependents' answers name them.
    containers = set(CONTAINERS.values())
    regional = sorted(
        (r for r in model.resources if region_of(r["identifier"]) is not None and r["resourceType"] not in containers),
        key=lambda r: r["identifier"],
    )
    picked = gen.rng.sample(regional, min(len(regional), remove + change))
    removed = {r["identifier"] for r in picked[:remove]}
    changed = picked[remove:]
    active = [model.tenancy_id] + [c["id"] for c in model.compartments if c["lifecycleState"] == "ACTIVE"]
    new = [gen.resource(len(model.resources) + n, model.regions, active) for n in range(add)]
    replacements: dict[str, dict[str, object]] = {}
    for rec in changed:
        spec = catalog.lookup(rec["resourceType"])
        updated = dict(rec)
        updated["displayName"] = f"{rec.get('displayName') or 'unnamed'} (changed {seed})"
        updated["freeformTags"] = {**(rec.get("freeformTags") or {}), "mutation": str(seed)}
        if spec is not None:
            updated["lifecycleState"] = gen.rng.choice(
                [s for s in spec.live + spec.dead if s != rec.get("lifecycleState")] or list(spec.live)
            )
        replacements[rec["identifier"]] = updated  # replace, never edit: readers may hold the old record
    model.graveyard.update((r["identifier"], r) for r in model.resources if r["identifier"] in removed)
    model.resources = [
        replacements.get(r["identifier"], r) for r in model.resources if r["identifier"] not in removed
    ] + new
    model.touch()
    return MutationSummary(
        added=tuple(r["identifier"] for r in new),
        removed=tuple(sorted(removed)),
        changed=tuple(r["identifier"] for r in changed),
    )
