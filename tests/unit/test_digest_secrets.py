"""The tag values the report's figures hold back from a GenAI prompt (``report/digest.py``): by key or by shape,
whatever the scan remembers of the keys it has judged."""

from __future__ import annotations

from typing import Any

from oci_inventory.report import digest
from oci_inventory.report.digest import InventoryScan

TOKEN = "AbCdEf0123456789GhIjKlMn"  # 24 characters, letters and digits: a secret by its shape


def _record(free: dict[str, Any], defined: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ocid": "ocid1.vcn.oc1..a", "resourceType": "Vcn", "region": "r", "freeformTags": free,
            "definedTags": defined or {}}  # fmt: skip


def test_secret_tags_by_key_and_by_shape_on_every_sighting() -> None:
    scan = InventoryScan()
    for i in range(3):  # the second and third sightings answer from the remembered keys
        scan.add(_record({"db_password": f"hunter{i}", "owner": "alice", "Api-Key": 7}, {"Ops": {"note": TOKEN[:-1]}}))
        scan.add(_record({"owner": TOKEN + str(i), "id": TOKEN}, {"Ops": {"AUTH": f"x{i}", "cost": "12"}}))
    assert scan.sensitive.secret_values == {
        TOKEN,
        *(f"hunter{i}" for i in range(3)),
        *(TOKEN + str(i) for i in range(3)),
        *(f"x{i}" for i in range(3)),
    }  # not alice, not 12, not the 23-character value, not the number under Api-Key


def test_remembered_keys_are_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(digest, "_JUDGED_KEYS", 2)
    scan = InventoryScan()
    scan.add(_record({"a": "1", "b": "2", "c": "3", "token": "t0"}))
    scan.add(_record({"token": "t1", "secret": "s1"}))  # neither remembered: judged again, still caught
    assert len(scan._secret_keys) == 2 and scan.sensitive.secret_values == {"t0", "t1", "s1"}
