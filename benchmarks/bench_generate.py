"""Time the two halves of generation, planning (pure numpy) and realising (Blender), per level size.

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_generate.py`
(or `make bench`). Prints a Markdown table; nothing here is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core import LevelSpec, plan_level


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The fastest of `repeats` runs, in seconds: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="32,64,128,250", help="square level sizes in cells (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the best is kept (default: 3)")
    args = parser.parse_args()
    import bpy

    from backrooms_addon import api

    print("| cells | faces | plan (s) | plan + Blender (s) |")
    print("|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        spec = LevelSpec(seed=1, width=size, depth=size)
        plan_s = best_of(args.repeats, lambda: plan_level(spec))  # noqa: B023
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        total = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            level = api.generate(spec, scene=bpy.context.scene)
            total.append(time.perf_counter() - started)
        median = statistics.median(total)
        print(f"| {size}x{size} | {level.plan.face_count()} | {plan_s:.3f} | {min(total):.3f} (median {median:.3f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
