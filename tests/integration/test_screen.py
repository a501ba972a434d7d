"""What a person sees: the enrichment bar, the summary that reconciles, the one-line summary off a terminal."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from oci_inventory.pipeline import RunOptions, run_inventory
from oci_inventory.progress import Reporter
from tests.integration.helpers import records
from tests.integration.test_enrich_errors import factory_for


class CountingReporter(Reporter):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queued = 0
        self.done = 0

    def enrich_queued(self, n: int = 1) -> None:
        with self.lock:
            self.queued += n

    def enrich_done(self, n: int = 1) -> None:
        with self.lock:
            self.done += n


def test_enrichment_bar_counts_only_records_that_need_an_api_call(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from oci_inventory.enrich.base import GetSpec
    from oci_inventory.enrich.registry import Registry

    reporter = CountingReporter()
    only_vcns = Registry(modules=())  # every other type: no API call
    only_vcns.register_spec(GetSpec("Vcn", "oci.core.VirtualNetworkClient", "get_vcn"))
    options = RunOptions(outdir=tmp_path, query="query all resources")
    result = run_inventory(factory_for(shared_tenancy), options, reporter=reporter, registry=only_vcns)
    statuses = Counter(r["enrichStatus"] for r in records(result.run_dir))
    with_api = statuses["OK"] + statuses["ERROR"]
    assert statuses["NOT_IMPLEMENTED"] > 0 and with_api > 0
    assert reporter.queued == reporter.done == with_api


def test_summary_reconciles_search_results_with_records_written(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.helpers import run_dir, summary

    compartment = next(c for c in shared_tenancy.emu.model.compartments if c["lifecycleState"] == "ACTIVE")
    # sorted by: the scope is not pushed into the query, so records are dropped out of scope client-side
    scope = ("--compartment", compartment["id"], "--query", "query all resources sorted by timeCreated")
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), *scope)
    assert result.code == 0, result.err
    s = summary(run_dir(result.out))
    assert s["search_results"] == sum(r["records"] for r in s["regions"])
    assert s["duplicates_merged"] > 0 and s["terminated_dropped"] > 0 and s["out_of_scope_dropped"] > 0
    dropped = s["duplicates_merged"] + s["terminated_dropped"] + s["out_of_scope_dropped"]
    assert s["search_results"] - dropped == s["total_discovered"] == len(records(run_dir(result.out)))
    # Off a terminal, one line on stderr says how it went: status, the same arithmetic, the duration.
    line = next(line for line in result.err.splitlines() if line.startswith("oci-inv: run "))
    assert line.startswith("oci-inv: run complete: ")
    assert f"{s['search_results']:,} search results" in line
    assert f"= {s['total_discovered']:,} records written" in line
    assert f"{s['not_implemented']:,} NOT_IMPLEMENTED" in line


def test_partial_run_says_so_in_its_one_line_summary(cli, tenancy, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "1")
    tenancy.emu.faults.configure(down_regions={"ap-tokyo-1"})
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path))
    assert result.code == 4, result.err
    assert "oci-inv: run partial (failed: ap-tokyo-1): " in result.err


def test_quiet_run_prints_only_the_run_directory(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 0 and result.err == ""
    assert len(result.out.splitlines()) == 1


def test_terminal_summary_shows_the_same_arithmetic(cli, shared_tenancy, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io
    import sys

    from rich.console import Console

    from oci_inventory import runner

    screen = io.StringIO()
    monkeypatch.setattr(runner, "_console", lambda: Console(file=screen, width=200, highlight=False))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path))
    assert result.code == 0, result.err
    from tests.integration.helpers import run_dir, summary

    s = summary(run_dir(result.out))
    text = screen.getvalue()
    assert runner.reconciliation(s) in text
    assert "NOT_IMPLEMENTED: no enricher for the type yet: Search data only" in text
    assert f"Inventory of {s['tenancy_name']}: complete" in text
