"""How long ``oci-inv`` takes to answer when it has nothing to do: ``--help``, ``--version``, ``diff --help``.

Each command runs ``--runs`` times in a fresh process (the installed ``oci-inv`` script next to this Python, else
``python -m oci_inventory``); prints JSON with the median wall time of each, its ratio to the 0.3 s target, and
its ratio to a bare interpreter (``python -c pass``) measured the same way in the same run.

    .venv/bin/python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
COMMANDS = {"help": ["--help"], "version": ["--version"], "diff_help": ["diff", "--help"]}


def _median_s(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("oci-inv")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "oci_inventory"]
    bare = _median_s([sys.executable, "-c", "pass"], args.runs)
    report: dict[str, object] = {"benchmark": "startup", "runs": args.runs, "target_s": TARGET_S}
    report["load_avg_1m_before"] = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures
    report["python_c_pass_s"] = round(bare, 4)
    for name, argv in COMMANDS.items():
        median = _median_s(base + argv, args.runs)
        report[name] = {
            "median_s": round(median, 4),
            "vs_target": round(median / TARGET_S, 3),
            "vs_bare_python": round(median / bare, 2),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
