"""What the benchmark scripts share: an emulator in its own process, and bare SDK clients."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any


def start_emulator(size: int, config_dir: Path, regions: str | None = None) -> tuple[subprocess.Popen[str], str]:
    """``python -m oci_emulator serve`` on a free port; returns the process and its endpoint template."""
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
