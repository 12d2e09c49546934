"""How long Cycles takes to get a level ready and render a tiny frame (mostly its BVH build).

Run: `.venv-5.0/bin/python benchmarks/bench_bvh.py [--sizes 250,1000]`. Prints a Markdown table.
A 64 x 36 pixel frame at 1 sample costs almost nothing to shade, so the time is scene export and
BVH building: what a user waits for before the first pixel of a big level.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250,1000")
    args = parser.parse_args()
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    print("| cells | faces | objects | first frame, Cycles CPU (s) |")
    print("|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        scene = bpy.context.scene
        level = api.generate(LevelSpec(seed=1, width=size, depth=size), scene=scene)
        output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=1, resolution=(64, 36))
        scene.cycles.use_denoising = False
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            output.render_png(scene, Path(folder) / "frame.png")
            seconds = time.perf_counter() - started
        print(f"| {size}x{size} | {level.plan.face_count():,} | {len(level.objects)} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
