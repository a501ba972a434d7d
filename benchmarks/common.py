"""What the benchmark scripts share: an emulator in its own process, and bare SDK clients."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"


def compile_sources() -> None:
    """Byte-compile ``src/`` (``compileall``: unchanged files are skipped), so every process a benchmark starts
    (the run, its intake and export processes, the emulator) loads bytecode as an installed wheel does, instead of
    compiling its modules again at each start (an editable install under ``PYTHONDONTWRITEBYTECODE`` never keeps
    them)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=True, stdout=subprocess.DEVNULL)


def start_emulator(size: int, config_dir: Path, regions: str | None = None) -> tuple[subprocess.Popen[str], str]:
    """``python -m oci_emulator serve`` on a free port; returns the process and its endpoint template. Every
    benchmark starts one before it measures anything, so the sources are compiled here first."""
    compile_sources()
    cmd = [sys.executable, "-m", "oci_emulator", "serve", "--port", "0", "--size", str(size),
           "--config-dir", str(config_dir)]  # fmt: skip
    if regions:
        cmd += ["--regions", regions]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.match(r"endpoint template: (\S+)", line)
        if match:
            return proc, match.group(1)
    raise RuntimeError("the emulator did not start")


def bare_client(cls: Any, cfg: dict[str, Any], signer: Any, endpoint: str) -> Any:
    """An SDK client with raw JSON bodies, no retries and no circuit breaker: the fastest the SDK goes."""
    import oci

    return cls(
        cfg,
        signer=signer,
        service_endpoint=endpoint,
        skip_deserialization=True,
        retry_strategy=oci.retry.NoneRetryStrategy(),
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
    )


def control(template: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the emulator's control endpoint (unsigned, loopback)."""
    base = template.split("/{service}", 1)[0]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/_emulator/{path}", data=data, method=method)
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def run_inventory(
    template: str, config_file: Path, outdir: Path, workers: int, extra: tuple[str, ...] = ()
) -> tuple[dict[str, Any], float]:
    env = {**os.environ, "OCI_METADATA_BASE_URL": "http://127.0.0.1:9/opc/v2"}
    cmd = [sys.executable, "-m", "oci_inventory", "run", "--config-file", str(config_file), "--endpoint-template",
           template, "--outdir", str(outdir), "--quiet", "--workers-enrich", str(workers), *extra]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"oci-inv run failed ({result.returncode}): {result.stderr.strip()}")
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    return json.loads((run_dir / "run_summary.json").read_text()), wall


def ideal_search(template: str, config_file: Path, regions: list[str]) -> tuple[float, int]:
    """Every region's Search paged to the end, one thread per region, raw bodies, nothing kept."""
    import oci

    cfg = oci.config.from_file(str(config_file))
    signer = oci.signer.Signer.from_config(cfg)
    details = oci.resource_search.models.StructuredSearchDetails(query="query all resources")
    counts: dict[str, int] = {}

    def page_all(region: str) -> None:
        endpoint = template.format(service="query", region=region)
        client = bare_client(oci.resource_search.ResourceSearchClient, cfg, signer, endpoint)
        page, n = None, 0
        while True:
            response = client.search_resources(details, limit=1000, **({"page": page} if page else {}))
            n += len(response.data["items"])
            page = response.headers.get("opc-next-page")
            if not page:
                counts[region] = n
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=page_all, args=(r,)) for r in regions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(counts.values())


def discovery_only(template: str, config_file: Path, region: str, shards: int | None) -> tuple[float, int, int]:
    """``RegionSearch`` of one region alone: (seconds, records, pages)."""
    from oci_inventory.auth.providers import build_auth
    from oci_inventory.oci.clients import ClientFactory
    from oci_inventory.oci.discovery import RegionSearch

    auth = build_auth("api_key", config_file=str(config_file), endpoint_template=template)
    factory = ClientFactory(auth, endpoint_template=template)
    search = RegionSearch(
        factory,
        region,
        ["query all resources"],
        shards=shards,
        accept=lambda items, relisting, nbytes: None,
        on_page=lambda items: None,
        cancel=threading.Event(),
    )
    started = time.perf_counter()
    records, pages = search.run()
    return time.perf_counter() - started, records, pages


def discovery_regions(template: str, config_file: Path, regions: list[str], shards: int | None) -> float:
    """``RegionSearch`` of every region at once, one thread per region (as the run does), records dropped."""
    threads = [threading.Thread(target=discovery_only, args=(template, config_file, r, shards)) for r in regions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started
