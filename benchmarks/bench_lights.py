"""Render time against the number of troffers: 100 against 10,000, Cycles on the CPU.

Run: `.venv-5.0/bin/python benchmarks/bench_lights.py`. Prints a Markdown table. Levels are sized
to hold about the wanted number of troffers; the frame (320 x 180, 16 samples, denoised, the
preview preset otherwise) is rendered from the spawn camera, so the light tree and the light budget
decide whether thousands of emissive troffers and lamps slow it down.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    print("| troffers | lamps | cells | faces | scene prep + render (s) | of which first frame at 1 sample (s) |")
    print("|---|---|---|---|---|---|")
    for wanted in (100, 10_000):
        side = math.ceil(math.sqrt(wanted / (0.85 * 0.25)))  # a troffer on a quarter of cells, 85% filled
        spec = LevelSpec(seed=4, width=side, depth=side)
        times = {}
        for samples in (1, 16):
            bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
            scene = bpy.context.scene
            level = api.generate(spec, scene=scene)
            output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=samples, resolution=(320, 180))
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                output.render_png(scene, Path(folder) / "frame.png")
                times[samples] = time.perf_counter() - started
        plan = level.plan
        print(
            f"| {len(plan.fixtures):,} | {len(plan.lamps)} | {side}x{side} | {plan.face_count():,} "
            f"| {times[16]:.2f} | {times[1]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
