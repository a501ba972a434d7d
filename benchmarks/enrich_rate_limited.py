"""Enrichment of ``oci-inv run`` under a rate limit, and without one, against the emulator in its own process.

Two runs of the same emulated tenancy (one region), every request answered after ``--latency-ms``:

1. no limit: enrichment calls per second (``api_calls.by_type`` ÷ ``enrichment_s`` of ``run_summary.json``)
   against the ideal ``workers ÷ latency``;
2. a token bucket of ``--rate`` requests/s (burst ``--burst``) on the ``iaas`` service of the region, 429s with
   ``Retry-After: 1``: the emulator's journal (``GET /_emulator/journal``) counts the requests of that
   (service, region), how many were answered 429, and the ones answered 2xx; their number ÷ ``enrichment_s`` is a
   lower bound of the sustained throughput of that key (it is the slowest; the others end earlier), against
   ``--rate``. Targets: ≥ 0.9 × rate with ≤ 5 % of its requests answered 429; ≥ 0.85 × the ideal without limit.

The emulator is warmed first by one untimed run without latency (its first answers of each kind build cached
views: measured, a cold emulator cut the first run's throughput by a quarter to a third; that is the emulator's
cost, not the client's). ``--enrich-processes`` is passed to both runs (default ``auto``).

Prints one JSON object with the load average before and after (other work on the machine skews the figures);
nothing is asserted.

    .venv/bin/python benchmarks/enrich_rate_limited.py [--size 6000] [--rate 50] [--burst 10] [--workers 24]
        [--latency-ms 50] [--enrich-processes auto|off|N] [--no-warm]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from common import control, run_inventory, start_emulator

REGION = "us-ashburn-1"
SERVICE = "iaas"


def unlimited(s: dict[str, Any], wall: float, workers: int, latency_ms: float) -> dict[str, Any]:
    calls = sum(s["api_calls"]["by_type"].values())
    throughput = calls / s["enrichment_s"] if s["enrichment_s"] else 0.0
    ideal = workers / (latency_ms / 1000.0)
    return {
        "records": s["total_discovered"],
        "errors": s["errors"],
        "enrichment_calls": calls,
        "enrichment_wall_s": s["enrichment_s"],
        "run_wall_s": round(wall, 3),
        "throughput_calls_per_s": round(throughput, 1),
        "ideal_calls_per_s": round(ideal, 1),
        "ratio_to_ideal": round(throughput / ideal, 3),
    }


def limited(s: dict[str, Any], wall: float, journal: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    key = [e for e in journal if e["service"] == SERVICE and e["region"] == REGION]
    throttled = sum(1 for e in key if e["status"] == 429)
    ok = sum(1 for e in key if 200 <= e["status"] < 300)
    everything = [e for e in journal if e["service"] not in ("_emulator", "auth")]
    throughput = ok / s["enrichment_s"] if s["enrichment_s"] else 0.0
    return {
        "records": s["total_discovered"],
        "errors": s["errors"],
        "errors_by_code": s["errors_by_code"],
        "rate_limit_per_s": rate,
        "key_requests": len(key),
        "key_requests_429": throttled,
        "key_share_429": round(throttled / len(key), 4) if key else 0.0,
        "key_requests_ok": ok,
        "all_requests": len(everything),
        "all_requests_429": sum(1 for e in everything if e["status"] == 429),
        "enrichment_wall_s": s["enrichment_s"],
        "run_wall_s": round(wall, 3),
        "key_throughput_per_s": round(throughput, 1),
        "ratio_to_rate": round(throughput / rate, 3),
        "api_retries": {k: v for k, v in s["api_retries"].items() if k != "by_service"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=6000, help="resources in the emulated tenancy")
    parser.add_argument("--rate", type=float, default=50.0, help="requests/s of the token bucket")
    parser.add_argument("--burst", type=float, default=10.0, help="burst of the token bucket")
    parser.add_argument("--workers", type=int, default=24, help="--workers-enrich of the runs")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency of every emulator request")
    parser.add_argument("--enrich-processes", default="auto", help="--enrich-processes of the runs")
    parser.add_argument("--no-warm", action="store_true", help="skip the untimed warm-up run")
    args = parser.parse_args()
    extra = ("--enrich-processes", args.enrich_processes)
    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        proc, template = start_emulator(args.size, work / "emu", REGION)
        config = work / "emu" / "config"
        try:
            if not args.no_warm:
                run_inventory(template, config, work / "warm", args.workers, extra)
            control(template, "POST", "faults", {"latency_ms": args.latency_ms})
            free, free_wall = run_inventory(template, config, work / "out", args.workers, extra)
            control(template, "DELETE", "journal")
            limits = {f"{SERVICE}/{REGION}": [args.rate, args.burst]}
            control(template, "POST", "faults", {"latency_ms": args.latency_ms, "rate_limits": limits})
            capped, capped_wall = run_inventory(template, config, work / "out", args.workers, extra)
            journal = control(template, "GET", "journal")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(
        json.dumps(
            {
                "load_average_1m_before_after": [load_before, round(os.getloadavg()[0], 2)],
                "workers_enrich": args.workers,
                "enrich_processes": args.enrich_processes,
                "emulator_warmed": not args.no_warm,
                "latency_ms": args.latency_ms,
                "unlimited": unlimited(free, free_wall, args.workers, args.latency_ms),
                "rate_limited": limited(capped, capped_wall, journal, args.rate),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
