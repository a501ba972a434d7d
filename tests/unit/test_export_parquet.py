from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.export.parquet import PARQUET_INSTALL_HINT, ensure_pyarrow, write_parquet
from oci_inventory.normalize.schema import RECORD_FIELDS
from oci_inventory.util.errors import ConfigError


def _record(i: int, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": f"ocid1.x..{i:04d}",
        "resourceType": "Instance",
        "displayName": f"name-{i} ü😀",
        "compartmentId": "ocid1.compartment..c",
        "compartmentPath": "/prod/network",
        "region": "eu-frankfurt-1",
        "lifecycleState": "RUNNING",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "definedTags": {"Ops": {"owner": "alice"}},
        "freeformTags": {"env": "prod"},
        "collectedAt": "2024-06-01T00:00:00.001Z",
        "enrichStatus": "OK",
        "enrichError": None,
        "details": {"b": [1, 2], "a": {"y": 1, "x": None}},
        "relationships": [{"relation": "in_vcn", "targetOcid": "ocid1.vcn..v", "targetType": None}],
    }
    rec.update(overrides)
    return rec


def test_round_trip_types_and_values(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = [_record(i) for i in range(7)]
    records.append(
        _record(
            7,
            displayName=None,
            compartmentPath=None,
            lifecycleState=None,
            timeCreated=None,
            enrichStatus="ERROR",
            enrichError="boom",
            details={},
            relationships=[],
            definedTags={},
            freeformTags={},
        )
    )
    path = tmp_path / "inventory.parquet"
    assert write_parquet(path, records, batch_size=3) == 8

    pf = pq.ParquetFile(path)
    assert pf.metadata.num_row_groups == 3
    table = pf.read()
    assert tuple(table.schema.names) == RECORD_FIELDS
    assert table.schema.field("timeCreated").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("collectedAt").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("details").type == pa.string()
    assert table.schema.field("displayName").nullable
    assert table.schema.field("compartmentPath").type == pa.string()
    assert table.schema.field("compartmentPath").nullable
    assert not table.schema.field("ocid").nullable

    rows = table.to_pylist()
    assert rows[0]["displayName"] == "name-0 ü😀"
    assert rows[0]["compartmentPath"] == "/prod/network"
    assert rows[0]["timeCreated"] == datetime(2024, 5, 1, 10, 11, 12, 345000, tzinfo=UTC)
    assert rows[0]["collectedAt"] == datetime(2024, 6, 1, 0, 0, 0, 1000, tzinfo=UTC)
    assert rows[0]["details"] == '{"a":{"x":null,"y":1},"b":[1,2]}'
    assert orjson.loads(rows[0]["relationships"]) == records[0]["relationships"]
    assert orjson.loads(rows[0]["definedTags"]) == {"Ops": {"owner": "alice"}}
    last = rows[7]
    assert last["displayName"] is None and last["timeCreated"] is None and last["lifecycleState"] is None
    assert last["compartmentPath"] is None
    assert last["enrichError"] == "boom"
    assert last["freeformTags"] == "{}" and last["relationships"] == "[]"


def test_empty_input_writes_schema_only_file(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "empty.parquet"
    assert write_parquet(path, []) == 0
    table = pq.read_table(path)
    assert table.num_rows == 0
    assert tuple(table.schema.names) == RECORD_FIELDS


def test_deterministic_bytes(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    records = [_record(i) for i in range(5)]
    write_parquet(tmp_path / "a.parquet", records)
    write_parquet(tmp_path / "b.parquet", records)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_missing_pyarrow_is_config_error_with_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ConfigError) as looked_for:
        ensure_pyarrow(load=False)
    assert str(looked_for.value) == "--parquet needs pyarrow, which is not installed"
    with pytest.raises(ConfigError) as err:
        ensure_pyarrow()
    assert str(err.value) == "--parquet needs pyarrow, which is not installed"
    assert err.value.hint == PARQUET_INSTALL_HINT == "pip install 'oci-inventory[parquet]'"
    assert PARQUET_INSTALL_HINT in err.value.user_line()
    with pytest.raises(ConfigError):
        write_parquet(tmp_path / "x.parquet", [_record(0)])
    assert not (tmp_path / "x.parquet").exists()
