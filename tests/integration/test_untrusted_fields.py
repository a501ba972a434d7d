"""A Search result with fields of the wrong JSON type is kept, not fatal: the record gets null / {} and the raw
values stay in details.searchSummary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.helpers import records, run_dir


@pytest.mark.parametrize("no_enrich", [True, False])
def test_wrong_types_in_a_search_result_do_not_fail_the_run(cli, tenancy, tmp_path: Path, no_enrich: bool) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = next(
        r for r in model.resources
        if ".iad." in r["identifier"] and r["resourceType"] == "Vcn" and r.get("lifecycleState") == "AVAILABLE"
    )  # fmt: skip
    odd = {"timeCreated": 1714558272, "freeformTags": ["x"], "definedTags": {"Ops": "owner=alice", "ok": {"a": "b"}}}
    model.resources = [{**r, **odd} if r is target else r for r in model.resources]
    model.touch()
    flags = ["--no-enrich"] if no_enrich else []
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--regions", "us-ashburn-1", *flags)
    assert result.code == 0, result.err
    record = next(r for r in records(run_dir(result.out)) if r["ocid"] == target["identifier"])
    assert record["timeCreated"] is None and record["freeformTags"] == {}
    assert record["definedTags"] == {"Ops": {}, "ok": {"a": "b"}}
    kept = record["details"]["searchSummary"]
    assert kept["timeCreated"] == 1714558272 and kept["freeformTags"] == ["x"]
