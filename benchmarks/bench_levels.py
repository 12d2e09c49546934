"""Planning time of each level style: plan_level per preset, its walls made, with one and three
floors, and the Poolrooms' pools alone.

Run: `.venv-5.0/bin/python benchmarks/bench_levels.py` (no Blender needed). Prints Markdown tables;
figures are the best of three runs.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.geometry import Pieces
from backrooms_addon.core.layout import build_layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import plan_level
from backrooms_addon.core.pools import pool_features
from benchmarks.bench_layout import best_of, planned

PRESETS = ("LEVEL_0", "LEVEL_1", "LEVEL_37", "LEVEL_188", "LEVEL_2", "LEVEL_4", "LEVEL_6", "LEVEL_RUN")
SIDE = 128


def main() -> int:
    print(f"| preset | {SIDE} x {SIDE} cells, 1 floor (s) | faces | 3 floors (s) | faces |")
    print("|---|---|---|---|---|")
    for key in PRESETS:
        cells = []
        for floors in (1, 3):
            spec = preset_spec(key, seed=1, width=SIDE, depth=SIDE, floors=floors)
            cells += [f"{best_of(3, partial(planned, spec)):.2f}", f"{plan_level(spec).face_count():,}"]
        print(f"| {key} | " + " | ".join(cells) + " |")
    print()
    print("| pools alone (LEVEL_37) | time (s) | pool cells | basin faces | water faces |")
    print("|---|---|---|---|---|")
    for side in (128, 512):
        spec = preset_spec("LEVEL_37", seed=1, width=side, depth=side)
        layout, pieces = build_layout(spec), Pieces.covering(side, side, spec.piece_cells)
        seconds = best_of(3, partial(pool_features, spec, layout, pieces))
        pools = pool_features(spec, layout, pieces)
        holes = 0 if pools.floor_holes is None else int(pools.floor_holes.sum())
        meshes = pools.meshes
        print(
            f"| {side} x {side} | {seconds:.2f} | {holes:,} | {meshes['pools'].face_count:,} | "
            f"{meshes['water'].face_count:,} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
