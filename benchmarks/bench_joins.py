"""Sealed pockets of closed regions, before and after the joins, and what joining costs.

Run: `.venv-5.0/bin/python benchmarks/bench_joins.py`. Prints two Markdown tables: per preset and
size (regions cut through chunks), the walkable areas of the ground floor, seeds 0 to 5, with the
region's perimeter closed but no joins (as levels were built before) and as built now, with the
doorways added; then the seconds of closing a region with and without the joins, best of three.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.joins import area_labels, joined
from backrooms_addon.core.layout import Layout, build_layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import plan_level

CASES = (("LEVEL_0", 40), ("LEVEL_0", 33), ("LEVEL_0_MAZE", 40), ("LEVEL_1", 33), ("LEVEL_37", 40))
SEEDS = range(6)


def areas(layout: Layout) -> int:
    """Separate walkable areas of a layout (cells joined through edges without walls)."""
    labels = area_labels(layout.walls_h, layout.walls_v, layout.solid)
    return len(np.unique(labels[~layout.solid]))


def unjoined(layout: Layout, joins: npt.NDArray[np.int64]) -> Layout:
    """The built layout with its joins closed again: the closed region as it was before them."""
    walls_h, walls_v, solid = layout.walls_h.copy(), layout.walls_v.copy(), layout.solid.copy()
    for i, j, bits in joins.tolist():
        walls_h[j + 1, i] |= bool(bits & 1)
        walls_v[j, i + 1] |= bool(bits & 2)
        solid[j, i] |= bool(bits & 16)
    return Layout(walls_h, walls_v, solid, layout.origin)


def pockets() -> None:
    print("| preset | cells | areas, closed without joins | areas now | doorways added |")
    print("|---|---|---|---|---|")
    for preset, size in CASES:
        before, after, added = [], [], []
        for seed in SEEDS:
            floor = plan_level(preset_spec(preset, seed=seed, width=size, depth=size)).floors[0]
            before.append(areas(unjoined(floor.layout, floor.joins)))
            after.append(areas(floor.layout))
            added.append(len(floor.joins))
        print(f"| {preset} | {size}x{size} | {_list(before)} | {_list(after)} | {_list(added)} |")


def cost() -> None:
    print("\n| cells | closing (s) | closing and joining (s) | joining per million cells (s) |")
    print("|---|---|---|---|")
    for size in (250, 1000, 2000):
        layout = build_layout(preset_spec("LEVEL_0", width=size, depth=size, origin=(5, 3)))
        closing = _best(layout.closed)
        joining = _best(partial(_closed_and_joined, layout))
        per_million = (joining - closing) / (size * size / 1e6)
        print(f"| {size}x{size} | {closing:.3f} | {joining:.3f} | {per_million:.3f} |")


def _closed_and_joined(layout: Layout) -> Layout:
    return joined(layout.closed(), 0)


def _best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _list(values: list[int]) -> str:
    return ", ".join(map(str, values))


if __name__ == "__main__":
    pockets()
    cost()
