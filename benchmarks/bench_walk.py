"""Planning a walking route: seconds, frames, stops and cells crossed per preset.

Run: `.venv-5.0/bin/python benchmarks/bench_walk.py [LENGTH_M]` (default 300). Prints a Markdown
table: for each preset at 48 x 48 cells, seed 0, the best of three planning times of a route of
LENGTH_M metres from the spawn (core/walk.py), its frames at 24 fps, the seconds it stands still,
and the cells it crosses (all and distinct).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import plan_level
from backrooms_addon.core.walk import plan_route

CELLS = 48


def main() -> int:
    length = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    print("| preset | route (m) | planning (ms) | frames | standing (s) | cells crossed | distinct |")
    print("|---|---|---|---|---|---|---|")
    for preset in LEVEL_PRESETS:
        plan = plan_level(preset_spec(preset, width=CELLS, depth=CELLS))
        times = []
        for _ in range(3):
            started = time.perf_counter()
            route = plan_route(plan, length)
            times.append(time.perf_counter() - started)
        still = np.linalg.norm(np.diff(route.positions[:, :2], axis=0), axis=1) < 1e-9
        distinct = len({tuple(cell) for cell in route.cells.tolist()})
        print(
            f"| {preset} | {length:g} | {min(times) * 1000:.0f} | {len(route.positions)} | "
            f"{still.sum() / route.fps:.0f} | {len(route.cells)} | {distinct} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
