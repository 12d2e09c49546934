"""Seconds per EEVEE frame at viewport-like settings on a big level, against the same Cycles frame.

Run: `.venv-5.0/bin/python benchmarks/bench_eevee.py [--sizes 64,250] [--resolutions 960x540,480x270]
[--samples 1]`. Prints a Markdown table. What *Rendered* shading shows while orbiting cannot be
timed headless, so this times what it is made of: a final render (F12) at one anti-aliasing
sample, from the spawn camera (the first frame, with EEVEE's shaders compiled and the scene
synced) and then from the camera turned half round (a second frame, shaders already compiled).
Cycles renders the same two frames on the CPU with the Fast Preview settings at the same samples.
Without a GPU, EEVEE draws with software GL (Mesa's llvmpipe) on the CPU.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    args = _arguments()
    print("| engine | cells | faces | resolution | samples | first frame (s) | second frame (s) |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        for resolution in args.resolutions:
            for engine in ("eevee", "cycles"):
                faces, first, second = _frames(size, engine, resolution, args.samples)
                width, height = resolution
                row = f"| {engine} | {size}x{size} | {faces:,} | {width}x{height} | {args.samples} "
                print(row + f"| {first:.1f} | {second:.1f} |", flush=True)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250", help="level sides in cells, comma-separated")
    parser.add_argument("--resolutions", default="960x540", help="frame sizes, comma-separated WIDTHxHEIGHT")
    parser.add_argument("--samples", type=int, default=1)
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    args.resolutions = [tuple(int(n) for n in text.split("x")) for text in args.resolutions.split(",")]
    return args


def _frames(size: int, engine: str, resolution: tuple[int, int], samples: int) -> tuple[int, float, float]:
    """A fresh file with the level, then two frames: from the spawn camera, and turned round."""
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS, preset_key
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(LevelSpec(seed=4, width=size, depth=size), scene=scene)
    preset = RENDER_PRESETS[preset_key(engine, "preview")]
    output.apply_render_preset(scene, preset, samples=samples, resolution=resolution)
    assert level.camera is not None
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for turn in (0.0, math.pi):
            level.camera.rotation_euler.z += turn  # another view of the same level
            started = time.perf_counter()
            output.render_png(scene, Path(folder) / "frame.png")
            times.append(time.perf_counter() - started)
    return level.plan.face_count(), times[0], times[1]


if __name__ == "__main__":
    sys.exit(main())
