"""What threads gain on this machine: a layout carved whole or in two halves, and the walls made
beside other work on the main thread.

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_threads.py
[--sizes 250,1000,2000]`. Prints two Markdown tables:
- layouts: core/layout.py's chunks carved in one go and as two halves side by side (the add-on
  splits from SPLIT_CHUNKS chunks on), median of --repeats;
- walls: a 1000 x 1000 level's walls made row by row (core/geometry.py wall_bands) in a worker
  thread, alone and while the main thread sorts with numpy (which releases the GIL) or creates
  small meshes through Blender's API (which holds it), as the main thread does while it receives
  a level, the last also with a switch interval (sys.setswitchinterval) of 0.1 ms. The main
  thread's work stops when the walls are done, or after --limit seconds.
Nothing here is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHORT_SWITCH_S = 0.0001  # Python's default is 5 ms: how often a thread holding the GIL is asked to let go


def layouts(sizes: list[int], repeats: int) -> None:
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core import layout as layout_module

    print("| cells | chunks | whole (s) | two halves (s) |")
    print("|---|---|---|---|")
    for size in sizes:
        spec = LevelSpec(seed=1, width=size, depth=size)
        first, count = layout_module.covering_chunks(spec)
        whole = _median(layout_module._chunks_carved, (spec, first, count), repeats)
        halves = _median(layout_module._in_halves, (spec, first, count), repeats)
        print(f"| {size}x{size} | {count[0] * count[1]:,} | {whole:.3f} | {halves:.3f} |")


def walls_beside(limit: float) -> None:
    import bpy
    import numpy as np

    from backrooms_addon.core import LevelSpec, plan_level
    from backrooms_addon.core.geometry import wall_bands
    from backrooms_addon.core.plan import _story, wall_style
    from backrooms_addon.core.registry import floor_features
    from backrooms_addon.realize.mesh import mesh_from_arrays

    spec = LevelSpec(seed=1, width=1000, depth=1000)
    story = _story(spec, 0, floor_features(spec, 0))
    floor = plan_level(spec.replace(width=64, depth=64)).meshes["floor"]  # a one-face mesh

    def walls() -> None:
        for _ in wall_bands(story.built, wall_style(story.spec), story.window.pieces):
            pass

    numbers = np.random.default_rng(1).random(2_000_000)

    def sort() -> None:
        np.sort(numbers)

    made: list[bpy.types.Mesh] = []

    def meshes() -> None:
        made.append(mesh_from_arrays("bench", floor, []))

    print("| main thread meanwhile | switch interval (ms) | walls (s) | main thread's steps |")
    print("|---|---|---|---|")
    default = sys.getswitchinterval()
    runs = [("waiting", None, default), ("sorting with numpy", sort, default)]
    runs += [("creating small meshes", meshes, default), ("creating small meshes", meshes, SHORT_SWITCH_S)]
    for label, step, interval in runs:
        sys.setswitchinterval(interval)
        try:
            seconds, steps = _beside(walls, step, limit)
        finally:
            sys.setswitchinterval(default)
        print(f"| {label} | {interval * 1000:g} | {seconds:.2f} | {steps:,} |")
        bpy.data.batch_remove(made)
        made.clear()


def _beside(work: Callable[[], None], step: Callable[[], None] | None, limit: float) -> tuple[float, int]:
    """Seconds `work` takes in a worker thread while this thread repeats `step` (until the work
    is done or `limit` seconds pass), and how many steps it took meanwhile."""
    done = threading.Event()
    took: list[float] = []

    def timed() -> None:
        started = time.perf_counter()
        work()
        took.append(time.perf_counter() - started)
        done.set()

    worker = threading.Thread(target=timed)
    worker.start()
    steps = 0
    stop = time.perf_counter() + limit
    while step is not None and not done.is_set() and time.perf_counter() < stop:
        step()
        steps += 1
    worker.join()
    return took[0], steps


def _median(run: Callable[..., object], arguments: tuple[object, ...], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run(*arguments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1000,2000", help="square layouts, in cells (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=7, help="runs per layout figure (default: %(default)s)")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds of main-thread work at most")
    args = parser.parse_args()
    layouts([int(size) for size in args.sizes.split(",")], args.repeats)
    print()
    walls_beside(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
