from __future__ import annotations

import threading
from datetime import UTC, datetime

from oci_inventory import __version__
from oci_inventory.export.rundir import json_bytes
from oci_inventory.export.summary import RegionOutcome, RunSummary, SummaryCounter


def _rec(rtype: str, status: str) -> dict[str, str]:
    return {"resourceType": rtype, "enrichStatus": status}


def test_counter_counts_by_type_and_status() -> None:
    counter = SummaryCounter()
    for rec in [_rec("Instance", "OK"), _rec("Instance", "ERROR"), _rec("Bucket", "NOT_IMPLEMENTED")]:
        counter.add(rec)
    snap = counter.snapshot()
    assert snap == {
        "total_discovered": 3,
        "enriched_ok": 1,
        "not_implemented": 1,
        "errors": 1,
        "counts_by_resource_type": {"Bucket": 1, "Instance": 2},
        "counts_by_enrich_status": {"ERROR": 1, "NOT_IMPLEMENTED": 1, "OK": 1, "SKIPPED": 0},
        "errors_by_code": {"unknown": 1},  # the record carries no enrichError
    }
    assert list(snap["counts_by_resource_type"]) == ["Bucket", "Instance"]


def test_counter_reports_zero_for_unseen_statuses_and_is_thread_safe() -> None:
    counter = SummaryCounter()
    assert counter.snapshot()["counts_by_enrich_status"] == {"ERROR": 0, "NOT_IMPLEMENTED": 0, "OK": 0, "SKIPPED": 0}

    def work() -> None:
        for _ in range(2_000):
            counter.add(_rec("Vcn", "OK"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.total == 8_000
    assert counter.snapshot()["counts_by_resource_type"] == {"Vcn": 8_000}


def test_run_summary_to_dict() -> None:
    counter = SummaryCounter()
    counter.add(_rec("Instance", "OK"))
    counter.add(_rec("Bucket", "ERROR"))
    summary = RunSummary(
        started_at=datetime(2024, 11, 28, 15, 40, 12, 123456, tzinfo=UTC),
        finished_at="2024-11-28T15:41:00Z",
        duration_s=47.87654,
        tenancy_id="ocid1.tenancy..t",
        tenancy_name="acme",
        home_region="eu-frankfurt-1",
        query="query all resources",
        flags={"parquet": True, "include_terminated": False},
        regions=[
            RegionOutcome("us-ashburn-1", "failed", error="timeout"),
            RegionOutcome("eu-frankfurt-1", "ok", records=2, pages=1, duration_s=1.0),
        ],
        terminated_dropped=4,
        files=["inventory.jsonl", "inventory.csv"],
    )
    summary.apply_counts(counter)
    d = summary.to_dict()
    assert d["schema_version"] == "1.1"
    assert d["tool_version"] == __version__
    assert d["started_at"] == "2024-11-28T15:40:12.123Z"
    assert d["finished_at"] == "2024-11-28T15:41:00.000Z"
    assert d["duration_s"] == 47.877
    assert [r["region"] for r in d["regions"]] == ["eu-frankfurt-1", "us-ashburn-1"]
    assert d["regions"][1] == {
        "region": "us-ashburn-1",
        "status": "failed",
        "records": 0,
        "pages": 0,
        "duration_s": 0.0,
        "error": "timeout",
    }
    assert (d["total_discovered"], d["enriched_ok"], d["not_implemented"], d["errors"]) == (2, 1, 0, 1)
    assert d["counts_by_resource_type"] == {"Bucket": 1, "Instance": 1}
    assert list(d["flags"]) == ["include_terminated", "parquet"]
    assert d["files"] == ["inventory.csv", "inventory.jsonl"]
    assert d["terminated_dropped"] == 4 and d["duplicates_merged"] == 0
    assert json_bytes(d) == json_bytes(summary.to_dict())
