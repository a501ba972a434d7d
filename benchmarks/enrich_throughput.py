"""Enrichment throughput of ``oci-inv run`` against the emulator with a fixed latency per request.

The emulator runs in its own process and answers every request after ``--latency-ms``. With W enrichment workers
and a latency of L seconds, no client can make more than W / L enrichment calls per second: that is the ideal.
One ``oci-inv run --workers-enrich W`` is measured; its ``run_summary.json`` gives the enrichment calls
(``api_calls.by_type``: calls made while enriching a record), the wall time of enrichment (``enrichment_s``: from
the first record queued for an API enricher to the last one done) and the calls per resource. Prints one JSON
object; nothing is asserted.

    .venv/bin/python benchmarks/enrich_throughput.py [--size 5000] [--workers 24] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from common import control, run_inventory, start_emulator


def figures(s: dict[str, Any], wall: float, workers: int, latency_ms: float) -> dict[str, Any]:
    records = s["total_discovered"]
    enrich_calls = sum(s["api_calls"]["by_type"].values())
    enrich_s = s["enrichment_s"]
    throughput = enrich_calls / enrich_s if enrich_s else 0.0
    ideal = workers / (latency_ms / 1000.0)
    return {
        "records": records,
        "records_enriched_ok": s["enriched_ok"],
        "workers_enrich": workers,
        "latency_ms": latency_ms,
        "api_calls_total": s["api_calls"]["total"],
        "api_calls_per_resource": s["api_calls"]["per_resource"],
        "enrichment_calls": enrich_calls,
        "enrichment_calls_per_resource": round(enrich_calls / records, 3) if records else 0.0,
        "enrichment_wall_s": round(enrich_s, 3),
        "run_wall_s": round(wall, 3),
        "throughput_calls_per_s": round(throughput, 1),
        "ideal_calls_per_s": round(ideal, 1),
        "ratio_to_ideal": round(throughput / ideal, 3),
        "retries": s.get("api_retries", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000, help="resources in the emulated tenancy")
    parser.add_argument("--regions", default="us-ashburn-1,eu-frankfurt-1,ap-tokyo-1")
    parser.add_argument("--workers", type=int, default=24, help="--workers-enrich of the run")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency of every emulator request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        proc, template = start_emulator(args.size, work / "emu", args.regions)
        try:
            control(template, "POST", "faults", {"latency_ms": args.latency_ms})
            s, wall = run_inventory(template, work / "emu" / "config", work / "out", args.workers)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(json.dumps(figures(s, wall, args.workers, args.latency_ms), indent=2))


if __name__ == "__main__":
    main()
