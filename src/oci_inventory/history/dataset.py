"""``run --parquet --dataset DIR``: a Hive-partitioned Parquet dataset of every complete run of every tenancy.

Layout: ``DIR/tenancy=<tenancy>/run=<run id>/inventory.parquet``, the run's own ``inventory.parquet`` unchanged
(a copy: a tool that rewrites the dataset can never touch the run), so Spark, Trino and DuckDB read the fleet's whole
history as one table with ``tenancy`` and ``run`` columns. A file appears atomically (temp name, then rename) and
is never overwritten: the same run added twice is left as it is.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from oci_inventory.history.layout import PARQUET_FILE, tenancy_dir_name
from oci_inventory.util.errors import ConfigError, InputError, environment_error


def partition(dataset: Path, tenancy: str, run_id: str) -> Path:
    """The directory of one run in the dataset."""
    return dataset / f"tenancy={tenancy_dir_name(tenancy)}" / f"run={run_id}"


def _tenancy(summary: dict[str, Any]) -> str:
    for key in ("tenancy_name", "tenancy_id"):
        value = summary.get(key)
        if isinstance(value, str) and value:
            return value
    return "unknown"


def add_run(dataset: Path, run_dir: Path, summary: dict[str, Any]) -> Path:
    """Add ``run_dir``'s ``inventory.parquet`` to ``dataset``; return the file in the dataset."""
    source = run_dir / PARQUET_FILE
    if not source.is_file():
        raise InputError(f"{run_dir} has no {PARQUET_FILE}; --dataset needs --parquet")
    target_dir = partition(dataset, _tenancy(summary), run_dir.name)
    target = target_dir / PARQUET_FILE
    if target.exists():
        return target
    tmp = target_dir / f".{PARQUET_FILE}.tmp-{secrets.token_hex(4)}"
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        converted = environment_error(exc, dataset)
        message = converted.message if converted is not None else f"{exc.strerror or exc}"
        raise ConfigError(
            f"the run {run_dir} is complete, but adding it to --dataset {dataset} failed: {message}",
            hint="the run itself is committed; fix the dataset directory",
        ) from None
    return target
