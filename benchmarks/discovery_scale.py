"""Discovery at scale against the emulator (its own process) with a fixed latency on every request.

Two scenarios, each measured in one run and printed as JSON:

* ``regions`` (issue target 1): R regions of N resources each. ``oci-inv run --no-enrich`` (one page chain per
  region, ``--search-shards off``, and the default ``auto``) against the ideal, ``start-up + the longest region's
  pages x latency``, where start-up is measured by a run of the same tenancy whose query matches nothing (its
  one Search page per region subtracted); and against a sequential per-region page loop with the bare SDK, the
  way a script around the OCI CLI does it. Each page costs the emulator's client more than the nominal latency
  (about 370 ms a page at 200 ms, measured: serving, transfer and decoding 1,000 results), so the loop's time
  per page is also taken as the page floor: ``ideal_measured_s`` = start-up + the longest region's pages x that
  floor. The loop runs first, so the emulator's cached Search views are built before any timed oci-inv run.
  The empty run and the two runs are repeated ``--repeat`` times (the two alternating, so a slower minute of a
  shared host weighs on both alike); the ratios are of the medians, and every time is printed.
* ``huge`` (issue target 2): one region of M resources. Discovery alone (``RegionSearch``, the real SDK, records
  counted and dropped) with one chain and with type shards; then the whole ``oci-inv run --no-enrich`` both ways.

    .venv/bin/python benchmarks/discovery_scale.py [--scenario regions|huge|both] [--regions 10]
        [--per-region 10000] [--huge 200000] [--latency-ms 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import bare_client, discovery_only, discovery_regions, start_emulator

REGION_NAMES = (
    *("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1", "ap-sydney-1"),
    *("sa-saopaulo-1", "ca-toronto-1", "ap-mumbai-1", "eu-amsterdam-1", "me-dubai-1", "ap-seoul-1"),
)
NO_MATCH = "query all resources where displayName = 'oci-inv-benchmark-matches-nothing'"


def set_latency(template: str, latency_ms: float) -> None:
    base = template.split("/{service}", 1)[0]
    body = json.dumps({"latency_ms": latency_ms}).encode()
    request = urllib.request.Request(f"{base}/_emulator/faults", data=body, method="POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def oci_inv(template: str, config_file: Path, outdir: Path, *extra: str) -> tuple[float, dict[str, Any]]:
    """Wall time of one ``oci-inv run --no-enrich`` (process start included) and its run_summary.json."""
    env = {**os.environ, "OCI_METADATA_BASE_URL": "http://127.0.0.1:9/opc/v2"}
    cmd = [sys.executable, "-m", "oci_inventory", "run", "--config-file", str(config_file), "--endpoint-template",
           template, "--outdir", str(outdir), "--quiet", "--no-enrich", *extra]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"oci-inv run failed ({result.returncode}): {result.stderr.strip()}")
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    return wall, json.loads((run_dir / "run_summary.json").read_text())


def sequential_loop(template: str, config_file: Path, regions: list[str]) -> tuple[float, int]:
    """Region after region, page after page, with the bare SDK."""
    import oci

    cfg = oci.config.from_file(str(config_file))
    signer = oci.signer.Signer.from_config(cfg)
    details = oci.resource_search.models.StructuredSearchDetails(query="query all resources")
    results = 0
    started = time.perf_counter()
    for region in regions:
        endpoint = template.format(service="query", region=region)
        client = bare_client(oci.resource_search.ResourceSearchClient, cfg, signer, endpoint)
        page = None
        while True:
            response = client.search_resources(details, limit=1000, **({"page": page} if page else {}))
            results += len(response.data["items"])
            page = response.headers.get("opc-next-page")
            if not page:
                break
    return time.perf_counter() - started, results


def scenario_regions(work: Path, count: int, per_region: int, latency_s: float, repeat: int) -> dict[str, Any]:
    regions = list(REGION_NAMES[:count])
    proc, template = start_emulator(per_region * count, work / "emu", ",".join(regions))
    config_file = work / "emu" / "config"
    try:
        set_latency(template, latency_s * 1000)
        # First the sequential loop: it also warms the emulator's cached Search views of the query, which the
        # first run would otherwise pay (a view of 15,000 resources per region is built on its first page).
        seq_s, seq_results = sequential_loop(template, config_file, regions)
        oci_inv(template, config_file, work / "warm", "--query", NO_MATCH)  # the same for the empty query's view
        empties = [oci_inv(template, config_file, work / "empty", "--query", NO_MATCH)[0] for _ in range(repeat)]
        startup_s = statistics.median(empties) - latency_s  # its one Search page per region, all at once
        offs: list[float] = []
        autos: list[float] = []
        phases: list[tuple[float, float]] = []  # the auto runs' own discovery (longest region) and export
        for _ in range(repeat):
            off_s, off = oci_inv(template, config_file, work / "off", "--search-shards", "off")
            auto_s, auto = oci_inv(template, config_file, work / "auto")
            offs.append(off_s)
            autos.append(auto_s)
            phases.append((max(auto["timing"]["discovery_s"].values()), auto["timing"]["export_s"]))
        off_s, auto_s = statistics.median(offs), statistics.median(autos)
        search_off_s = discovery_regions(template, config_file, regions, 1)
        search_auto_s = discovery_regions(template, config_file, regions, None)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert off["total_discovered"] == auto["total_discovered"] and off["search_results"] == seq_results
    longest = max(r["pages"] for r in off["regions"])
    ideal_s = startup_s + longest * latency_s
    # What one page really costs on this emulator with the bare SDK, one request at a time (the nominal latency
    # plus serving, transfer and decoding 1,000 results): the floor of a page chain here.
    page_floor_s = seq_s / sum(r["pages"] for r in off["regions"])
    ideal_measured_s = startup_s + longest * page_floor_s
    return {
        "scenario": "regions",
        "regions": count,
        "search_results": off["search_results"],
        "records": off["total_discovered"],
        "latency_ms": latency_s * 1000,
        "repeat": repeat,
        "startup_s": round(startup_s, 2),
        "empty_runs_s": [round(t, 2) for t in empties],
        "oci_inv_shards_off_runs_s": [round(t, 2) for t in offs],
        "oci_inv_shards_auto_runs_s": [round(t, 2) for t in autos],
        "oci_inv_shards_auto_discovery_export_s": [[round(d, 2), round(e, 2)] for d, e in phases],
        "ratio_best_auto_to_ideal_measured": round(min(autos) / ideal_measured_s, 3),
        "longest_region_pages": longest,
        "ideal_s": round(ideal_s, 2),
        "page_floor_ms": round(page_floor_s * 1000, 1),
        "ideal_measured_s": round(ideal_measured_s, 2),
        "ratio_off_to_ideal_measured": round(off_s / ideal_measured_s, 3),
        "ratio_auto_to_ideal_measured": round(auto_s / ideal_measured_s, 3),
        "oci_inv_shards_off_s": round(off_s, 2),
        "oci_inv_shards_auto_s": round(auto_s, 2),
        "sequential_loop_s": round(seq_s, 2),
        "sequential_loop_results": seq_results,
        "ratio_off_to_ideal": round(off_s / ideal_s, 3),
        "ratio_auto_to_ideal": round(auto_s / ideal_s, 3),
        "speedup_off_vs_sequential": round(seq_s / off_s, 2),
        "speedup_auto_vs_sequential": round(seq_s / auto_s, 2),
        "discovery_only_shards_off_s": round(search_off_s, 2),
        "discovery_only_shards_auto_s": round(search_auto_s, 2),
        "discovery_only_ratio_off_to_ideal_pages": round(search_off_s / (longest * latency_s), 3),
        "discovery_only_speedup_off_vs_sequential": round(seq_s / search_off_s, 2),
        "discovery_only_speedup_auto_vs_sequential": round(seq_s / search_auto_s, 2),
        "targets": {"ratio_to_ideal": "<= 1.10", "speedup_vs_sequential": ">= 8"},
    }


def scenario_huge(work: Path, size: int, latency_s: float) -> dict[str, Any]:
    region = REGION_NAMES[0]
    proc, template = start_emulator(size, work / "emu", region)
    config_file = work / "emu" / "config"
    try:
        set_latency(template, latency_s * 1000)
        one_s, one_records, one_pages = discovery_only(template, config_file, region, 1)
        auto_s, auto_records, auto_pages = discovery_only(template, config_file, region, None)
        run_off_s, run_off = oci_inv(template, config_file, work / "off", "--search-shards", "off")
        run_auto_s, run_auto = oci_inv(template, config_file, work / "auto")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert one_records == auto_records == run_off["search_results"] == run_auto["search_results"]
    return {
        "scenario": "huge",
        "search_results": one_records,
        "latency_ms": latency_s * 1000,
        "discovery_single_chain_s": round(one_s, 2),
        "discovery_single_chain_pages": one_pages,
        "discovery_sharded_s": round(auto_s, 2),
        "discovery_sharded_pages": auto_pages,
        "ratio_discovery_sharded_to_single": round(auto_s / one_s, 3),
        "oci_inv_shards_off_s": round(run_off_s, 2),
        "oci_inv_shards_auto_s": round(run_auto_s, 2),
        "ratio_oci_inv_auto_to_off": round(run_auto_s / run_off_s, 3),
        "targets": {"ratio_sharded_to_single": "<= 0.3"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("regions", "huge", "both"), default="both")
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--per-region", type=int, default=10_000)
    parser.add_argument("--huge", type=int, default=200_000)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each oci-inv variant (regions): medians")
    args = parser.parse_args()
    latency_s = args.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        if args.scenario in ("regions", "both"):
            regions = scenario_regions(Path(tmp) / "regions", args.regions, args.per_region, latency_s, args.repeat)
            print(json.dumps(regions))
        if args.scenario in ("huge", "both"):
            print(json.dumps(scenario_huge(Path(tmp) / "huge", args.huge, latency_s)))


if __name__ == "__main__":
    main()
