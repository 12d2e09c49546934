"""Layout speed: cells per second of build_layout for growing regions, far origins, every algorithm.

Run: `.venv-5.0/bin/python benchmarks/bench_layout.py` (no Blender needed). Prints Markdown tables.
Figures are the best of --repeats runs; peak memory is measured once with tracemalloc.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.layout import build_layout
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.spec import LevelSpec

FAR = (10**9 - 4000, -(10**9))


def best_of(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def peak_bytes(action: Callable[[], object]) -> int:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def planned(spec: LevelSpec) -> LevelPlan:
    """plan_level with its walls made: a one-floor level's come from a worker thread a row of
    pieces at a time, and face_count() waits for them."""
    plan = plan_level(spec)
    plan.face_count()
    return plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="250,1000,2000")
    args = parser.parse_args()
    print("Default algorithm (backrooms), by size and origin:\n")
    print("| cells | origin | layout (s) | cells/s | plan incl. meshes (s) | plan peak memory |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for origin in ((0, 0), FAR):
            spec = LevelSpec(seed=1, width=size, depth=size, origin=origin)
            layout_s = best_of(args.repeats, lambda: build_layout(spec))  # noqa: B023
            plan_s = best_of(1, lambda: planned(spec))  # noqa: B023
            peak = peak_bytes(lambda: planned(spec)) if size <= 1000 else 0  # noqa: B023
            memory = f"{peak / 2**20:.0f} MiB" if peak else "-"
            print(
                f"| {size}x{size} | {origin[0]}, {origin[1]} | {layout_s:.3f} | {size * size / layout_s:,.0f} "
                f"| {plan_s:.3f} | {memory} |"
            )
    print("\nEvery algorithm, 1000x1000 cells at the origin:\n")
    print("| algorithm | layout (s) | cells/s |")
    print("|---|---|---|")
    for name in ALGORITHMS:
        spec = LevelSpec(seed=1, width=1000, depth=1000, algorithm=name)
        seconds = best_of(1 if name == "wilson" else args.repeats, lambda: build_layout(spec))  # noqa: B023
        print(f"| {name} | {seconds:.3f} | {1e6 / seconds:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
