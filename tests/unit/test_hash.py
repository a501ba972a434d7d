from __future__ import annotations

import copy
import hashlib
from typing import Any

import orjson
import pytest

from oci_inventory.diff.hash import record_hash


def _record() -> dict[str, Any]:
    return {
        "ocid": "ocid1.instance.oc1..a",
        "resourceType": "Instance",
        "displayName": "web-1",
        "compartmentId": "ocid1.compartment.oc1..c",
        "region": "eu-frankfurt-1",
        "lifecycleState": "RUNNING",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "definedTags": {"Ops": {"owner": "alice", "cost": "42"}},
        "freeformTags": {"env": "prod"},
        "collectedAt": "2024-06-01T00:00:00.000Z",
        "enrichStatus": "OK",
        "enrichError": None,
        "details": {"shape": "VM.Standard.E4.Flex", "nested": {"a": 1, "b": [1, 2]}},
        "relationships": [{"relation": "in_subnet", "targetOcid": "ocid1.subnet..s", "targetType": "Subnet"}],
    }


def test_hash_is_sha256_hex_of_canonical_json_without_collected_at() -> None:
    rec = _record()
    body = {k: v for k, v in rec.items() if k != "collectedAt"}
    expected = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    assert record_hash(rec) == expected
    assert len(expected) == 64


def test_hash_stable_across_key_order_at_every_depth() -> None:
    rec = _record()
    reordered = {k: rec[k] for k in reversed(list(rec))}
    reordered["details"] = {"nested": {"b": [1, 2], "a": 1}, "shape": "VM.Standard.E4.Flex"}
    reordered["definedTags"] = {"Ops": {"cost": "42", "owner": "alice"}}
    assert record_hash(reordered) == record_hash(rec)


def test_hash_ignores_collected_at() -> None:
    rec = _record()
    other = dict(rec, collectedAt="2030-01-01T00:00:00.000Z")
    assert record_hash(other) == record_hash(rec)
    del other["collectedAt"]
    assert record_hash(other) == record_hash(rec)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.update(displayName="web-2"),
        lambda r: r.update(lifecycleState=None),
        lambda r: r.update(timeCreated="2024-05-01T10:11:12.346Z"),
        lambda r: r["freeformTags"].update(env="dev"),
        lambda r: r["definedTags"]["Ops"].update(owner="bob"),
        lambda r: r["details"]["nested"].update(a=2),
        lambda r: r["details"]["nested"]["b"].reverse(),
        lambda r: r["relationships"].clear(),
        lambda r: r.update(enrichStatus="ERROR"),
        lambda r: r.update(extra="x"),
    ],
)
def test_hash_changes_with_any_other_field(mutate: Any) -> None:
    rec = _record()
    changed = copy.deepcopy(rec)
    mutate(changed)
    assert record_hash(changed) != record_hash(rec)
