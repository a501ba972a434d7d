"""Where ``oci-inv run`` writes, and what it does after a complete run: ``--per-tenancy-dirs``, ``--dataset``,
``--keep-runs``.

Runs go into ``<outdir>/<tenancy name>/`` when ``--per-tenancy-dirs`` is given, when the outdir already holds
tenancy directories, or when the newest run directly in the outdir is of another tenancy (two profiles writing to
one outdir): runs of different tenancies are then never mixed in one directory, and ``--prev latest`` finds the
newest complete run of the same tenancy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oci_inventory.diff.scope import RUN_SUMMARY_FILE, read_summary
from oci_inventory.export.rundir import find_runs
from oci_inventory.history.layout import tenancy_dir_name, tenancy_dirs
from oci_inventory.logging import say
from oci_inventory.util.errors import InputError


def wants_tenancy_dirs(flag: bool, outdir: Path) -> bool:
    """Known before any API call: the flag, or an outdir that already has tenancy directories."""
    return bool(flag) or bool(tenancy_dirs(outdir))


def early_checks(options: Any, tenancy_dirs_wanted: bool) -> None:
    """``preflight`` before any API call; with tenancy directories, ``--prev latest`` waits for the tenancy."""
    from oci_inventory.pipeline import preflight

    if tenancy_dirs_wanted and options.prev_latest:
        if options.parquet:
            from oci_inventory.export.parquet import ensure_pyarrow

            ensure_pyarrow()
        return
    preflight(options)


def _other_tenancy(outdir: Path, tenancy_id: str | None) -> str | None:
    """The tenancy of the newest run directly in ``outdir`` when it is not ``tenancy_id``, else None."""
    runs = find_runs(outdir)
    if not runs or not tenancy_id:
        return None
    try:
        summary = read_summary(runs[-1] / RUN_SUMMARY_FILE) or {}
    except InputError:
        return None
    other = summary.get("tenancy_id")
    if isinstance(other, str) and other and other != tenancy_id:
        name = summary.get("tenancy_name")
        return name if isinstance(name, str) and name else other
    return None


def tenancy_name(factory: Any) -> str:
    from oci_inventory.identity import bootstrap

    bootstrap(factory)
    tenancy = factory.identity().get_tenancy(factory.auth.tenancy_id).data
    name = getattr(tenancy, "name", None)
    return name if isinstance(name, str) and name else str(factory.auth.tenancy_id)


def place_run(options: Any, factory: Any, tenancy_dirs_wanted: bool) -> None:
    """Point ``options.outdir`` at the tenancy's directory when runs are kept per tenancy, then finish preflight."""
    from oci_inventory.pipeline import preflight

    outdir: Path = options.outdir
    if not tenancy_dirs_wanted:
        other = _other_tenancy(outdir, getattr(factory.auth, "tenancy_id", None))
        if other is None:
            return
        tenancy_dirs_wanted = True
        say(f"oci-inv: note: {outdir} holds runs of tenancy {other}; this run goes into a directory of its own tenancy")
        if options.prev_latest:  # resolved against the other tenancy's runs: resolve again in the tenancy's own
            options.prev, options.prev_run, options.checked = None, None, False
    options.outdir = outdir / tenancy_dir_name(tenancy_name(factory))
    preflight(options)


def after_run(run_dir: Path, summary: dict[str, Any], *, dataset: str | None, keep_runs: int | None) -> None:
    """After a committed run: add it to ``--dataset`` and prune to ``--keep-runs``, both only when it is complete
    (a partial run is never added to the dataset, and never triggers a prune)."""
    if not dataset and not keep_runs:
        return
    if summary.get("status") != "complete":
        say(f"oci-inv: warning: {run_dir} is partial: not added to --dataset and no --keep-runs prune")
        return
    if dataset:
        from oci_inventory.history.dataset import add_run

        target = add_run(Path(dataset).expanduser(), run_dir, summary)
        say(f"oci-inv: added to the dataset: {target}", "INFO")
    if keep_runs:
        from oci_inventory.history.prune import prune

        tenancy_id = summary.get("tenancy_id")
        key = tenancy_id if isinstance(tenancy_id, str) and tenancy_id else None
        rows = prune(run_dir.parent, keep=keep_runs, tenancy_key=key)
        removed = [row["run_id"] for row in rows if row["action"] == "removed"]
        if removed:
            say(f"oci-inv: --keep-runs {keep_runs}: removed {len(removed)} old run(s): {', '.join(removed)}", "INFO")
