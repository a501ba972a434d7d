"""Throughput of the OCI emulator under signed, keep-alive load.

The emulator runs in its own process (``python -m oci_emulator serve``); client processes each drive several
keep-alive connections with requests signed by the SDK's own ``oci.signer.Signer`` (signed once per request
template and reused inside the 5-minute window). Prints requests/s, latency percentiles, errors and the ratio
against the 1,000 req/s target.

    .venv/bin/python benchmarks/emulator_throughput.py [--duration 10] [--connections 64] [--processes 4]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import start_emulator

TARGET_RPS = 1000.0


def signed_templates(template: str, config_file: str) -> list[tuple[str, str, bytes, dict[str, str]]]:
    import oci
    from oci._vendor import requests

    cfg = oci.config.from_file(config_file)
    signer = oci.signer.Signer.from_config(cfg)
    region = cfg["region"]
    ident = template.format(service="identity", region=region)
    query = template.format(service="query", region=region)
    body = b'{"type": "Structured", "query": "query all resources where lifecycleState != \'TERMINATED\'"}'
    requests_ = [
        ("GET", f"{ident}/20160918/compartments/{cfg['tenancy']}", b""),
        ("GET", f"{ident}/20160918/tenancies/{cfg['tenancy']}/regionSubscriptions", b""),
        ("GET", f"{ident}/20160918/availabilityDomains?compartmentId={cfg['tenancy']}", b""),
        ("POST", f"{query}/20180409/resources?limit=100", body),
    ]
    out = []
    for method, url, data in requests_:
        prepared = requests.Request(method, url, data=data or None, headers={"content-type": "application/json"})
        p = prepared.prepare()
        signer(p)
        path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
        out.append((method, "/" + path, data, {k: str(v) for k, v in p.headers.items()}))
    return out


def worker(args: tuple[str, str, int, float]) -> dict[str, Any]:
    template, config_file, connections, deadline = args
    templates = signed_templates(template, config_file)
    port = int(template.split(":")[2].split("/")[0])
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        i = offset
        while time.time() < deadline:
            method, path, body, headers = templates[i % len(templates)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body or None, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=run, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": errors[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--size", type=int, default=5000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, template = start_emulator(opts.size, Path(tmp))
        try:
            config_file = str(Path(tmp) / "config")
            per_proc = [opts.connections // opts.processes] * opts.processes
            per_proc[0] += opts.connections - sum(per_proc)
            start = time.time() + 2.0  # let the client processes import oci and sign first
            deadline = start + opts.duration
            with mp.get_context("spawn").Pool(opts.processes) as pool:
                results = pool.map(worker, [(template, config_file, n, deadline) for n in per_proc])
            elapsed = time.time() - start
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = sum(r["errors"] for r in results)
    rps = len(latencies) / max(elapsed, 1e-9)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    print(f"connections={opts.connections} processes={opts.processes} duration={elapsed:.1f}s size={opts.size}")
    print("mix: GetCompartment, ListRegionSubscriptions, ListAvailabilityDomains, SearchResources(limit=100)")
    print(f"requests={len(latencies)} errors={errors}")
    print(f"throughput={rps:.0f} req/s  p50={p50:.1f} ms  p99={p99:.1f} ms")
    print(f"ratio vs {TARGET_RPS:.0f} req/s target: {rps / TARGET_RPS:.2f}x")
    return 0 if errors == 0 and rps >= TARGET_RPS else 1


if __name__ == "__main__":
    sys.exit(main())
