"""How close ``oci-inv run`` comes to the fastest possible discovery of the same tenancy.

The emulator runs in its own process. Two measurements in one run, against the same tenancy:

* ideal: one thread per region paging Resource Search with the SDK (raw JSON, no processing at all): the floor
  set by the API itself;
* oci-inv: a full ``oci-inv run`` in a subprocess (discovery, de-duplication, enrichment, normalization, sorting,
  JSONL + CSV export, run summary), with its wall time and peak RSS.

Prints both, the ratio, and resources per second.

    .venv/bin/python benchmarks/run_throughput.py [--size 100000] [--regions us-ashburn-1,eu-frankfurt-1,ap-tokyo-1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import bare_client, ideal_search, start_emulator


def ideal_gets(template: str, config_file: Path, run_dir: Path, home: str, workers: int) -> tuple[float, int]:
    """The same identity get calls the run made, issued straight through the SDK by ``workers`` threads."""
    import queue

    import oci

    operations = {
        "Compartment": "get_compartment",
        "User": "get_user",
        "Group": "get_group",
        "Policy": "get_policy",
        "DynamicResourceGroup": "get_dynamic_group",
        "TagNamespace": "get_tag_namespace",
    }
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    with (run_dir / "inventory.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["enrichStatus"] == "OK" and record["resourceType"] in operations:
                work.put((operations[record["resourceType"]], record["ocid"]))
    total = work.qsize()
    cfg = oci.config.from_file(str(config_file))
    signer = oci.signer.Signer.from_config(cfg)

    def worker() -> None:
        client = bare_client(oci.identity.IdentityClient, cfg, signer, template.format(service="identity", region=home))
        while True:
            try:
                operation, ocid = work.get_nowait()
            except queue.Empty:
                return
            getattr(client, operation)(ocid)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--regions", default="us-ashburn-1,eu-frankfurt-1,ap-tokyo-1")
    args = parser.parse_args()
    regions = args.regions.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        proc, template = start_emulator(args.size, work / "emu", args.regions)
        config_file = work / "emu" / "config"
        try:
            ideal_s, searched = ideal_search(template, config_file, regions)
            env = {**os.environ, "OCI_METADATA_BASE_URL": "http://127.0.0.1:9/opc/v2"}
            cmd = [sys.executable, "-m", "oci_inventory", "run", "--config-file", str(config_file),
                   "--endpoint-template", template, "--outdir", str(work / "out"), "--quiet"]  # fmt: skip
            started = time.perf_counter()
            result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            run_s = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(f"oci-inv run failed ({result.returncode}): {result.stderr.strip()}")
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            run_dir = Path(result.stdout.strip().splitlines()[-1])
            summary = json.loads((run_dir / "run_summary.json").read_text())
            gets_s, gets = ideal_gets(template, config_file, run_dir, summary["home_region"], 24)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    records = summary["total_discovered"]
    print(f"tenancy: {args.size} resources, {len(regions)} regions, {searched} search results in all")
    print(f"ideal discovery (raw SDK paging, 1 thread/region): {ideal_s:8.2f} s  {searched / ideal_s:10.0f} results/s")
    print(f"oci-inv run (whole pipeline, process start incl.):  {run_s:8.2f} s  {searched / run_s:10.0f} results/s")
    print(f"records written: {records} ({summary['enriched_ok']} enriched via API, {summary['not_implemented']} "
          f"search-only, {summary['terminated_dropped']} terminated dropped, {summary['duplicates_merged']} "
          "duplicates merged)")  # fmt: skip
    print(f"ideal enrichment (the same {gets} identity gets, raw SDK, 24 threads): {gets_s:8.2f} s")
    floor = ideal_s + gets_s
    print(f"ratio oci-inv / (ideal discovery + ideal gets): {run_s / floor:.2f}x   (vs discovery alone: "
          f"{run_s / ideal_s:.2f}x)   peak RSS of oci-inv: {peak_mb:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
