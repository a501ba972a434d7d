"""How fast the emulator builds its deterministic tenancy model (moved here from the test suite, which asserts
behaviour only, never time).

Builds the model at several sizes in one run and prints JSON: seconds, resources per second, and the ratio of
each size's time to the budget of 1 s per 5,000 resources (below 1.0 is within budget).

    .venv/bin/python benchmarks/model_build.py [--sizes 5000,100000]
"""

from __future__ import annotations

import argparse
import json
import time

BUDGET_S_PER_RESOURCE = 1.0 / 5000
REGIONS = ("us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1")


def measure(size: int) -> dict[str, float]:
    from oci_emulator.model.generate import build_model

    t0 = time.perf_counter()
    model = build_model(1, size, REGIONS)
    seconds = time.perf_counter() - t0
    built = len(model.resources)
    return {
        "size": size,
        "resources": built,
        "seconds": round(seconds, 3),
        "resources_per_s": round(built / seconds),
        "ratio_to_budget": round(seconds / (size * BUDGET_S_PER_RESOURCE), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,100000")
    args = parser.parse_args()
    results = [measure(int(size)) for size in args.sizes.split(",")]
    print(json.dumps({"benchmark": "emulator_model_build", "results": results}, indent=2))


if __name__ == "__main__":
    main()
