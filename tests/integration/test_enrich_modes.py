"""--no-enrich (discovery only) and SKIPPED for terminated resources kept with --include-terminated."""

from __future__ import annotations

from pathlib import Path

from tests.integration.helpers import TERMINAL, records, run_dir, summary


def _api_operations(emu) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.operation for e in emu.journal.entries()}


def test_no_enrich_is_discovery_only(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--no-enrich", "--quiet")
    assert result.code == 0, result.err
    recs = records(run_dir(result.out))
    assert recs and all(r["enrichStatus"] == "NOT_IMPLEMENTED" for r in recs)
    assert all(set(r["details"]) == {"searchSummary"} for r in recs)
    assert all(r["relationships"] == [{"relation": "IN_COMPARTMENT", "targetOcid": r["compartmentId"],
                                       "targetType": "Compartment"}] for r in recs if r["compartmentId"])  # fmt: skip
    operations = _api_operations(tenancy.emu)
    assert not {op for op in operations if op.startswith("Get") and op != "GetTenancy"}
    assert operations <= {"SearchResources", "GetTenancy", "ListRegionSubscriptions", "ListCompartments"}
    assert summary(run_dir(result.out))["flags"]["no_enrich"] is True


def test_terminated_resources_are_skipped_without_an_api_call(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--include-terminated", "--quiet")
    assert result.code in (0,), result.err
    recs = records(run_dir(result.out))
    dead = [r for r in recs if str(r["lifecycleState"]).upper() in TERMINAL]
    assert dead and all(r["enrichStatus"] == "SKIPPED" and r["enrichError"] is None for r in dead)
    got = {e.path.rsplit("/", 1)[-1].split("?")[0] for e in tenancy.emu.journal.entries() if e.method == "GET"}
    assert not any(r["ocid"] in got for r in dead), "no get for a terminated resource"
    assert summary(run_dir(result.out))["counts_by_enrich_status"]["SKIPPED"] == len(dead)


def test_a_resource_search_still_lists_but_get_answers_404_is_an_error_record(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Search is eventually consistent: a resource it still returns may be gone. Its record keeps the Search data,
    ends ERROR with the status and OCI code, and the run completes with exit 0."""
    from oci_emulator.model.refs import is_stale

    model = tenancy.emu.model
    stale = {r["identifier"] for r in model.resources if is_stale(model, r["identifier"])}
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 0, result.err
    recs = {r["ocid"]: r for r in records(run_dir(result.out))}
    gone = [recs[o] for o in stale if o in recs]
    assert gone and all(r["enrichStatus"] == "ERROR" for r in gone)
    assert all(r["enrichError"].startswith("404 NotAuthorizedOrNotFound: ") for r in gone)
    assert all(r["details"]["searchSummary"]["identifier"] == r["ocid"] for r in gone)
    assert summary(run_dir(result.out))["errors_by_code"]["NotAuthorizedOrNotFound"] >= len(gone)
    assert "NotAuthorizedOrNotFound" in result.err
