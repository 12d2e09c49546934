"""EEVEE against Cycles for every level preset: the same frame measured in both engines.

Run: `.venv-5.0/bin/python benchmarks/bench_eevee_look.py [OUT_FOLDER]` (or .venv-4.2). Prints a
Markdown table of mean luminance, that of the ceiling band (top third) and the share of near-black
pixels per preset and engine, with each render's time; the frames are kept in OUT_FOLDER (default
a temporary folder) to look at. Frames are 128 x 72 of a 24 x 24 level from the spawn camera,
Cycles at 16 samples denoised, EEVEE at 8 TAA samples, as tests/blender/test_eevee_look.py does
for Level 0 and Level 1.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FRAME = (128, 72)
CELLS = 24


def main() -> int:
    import bpy
    import numpy as np
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.levels import LEVEL_PRESETS

    eevee = "BLENDER_EEVEE_NEXT" if bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-eevee-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Blender {bpy.app.version_string}, frames in {folder}\n")
    print("| preset | engine | mean | ceiling band | near black | render (s) |")
    print("|---|---|---|---|---|---|")
    for preset in LEVEL_PRESETS:
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        scene = bpy.context.scene
        api.generate(preset=preset, seed=0, width=CELLS, depth=CELLS, scene=scene)
        for engine in ("CYCLES", eevee):
            path = folder / f"{preset}_{'cycles' if engine == 'CYCLES' else 'eevee'}.png"
            seconds = _render(scene, engine, path)
            image = np.asarray(Image.open(path).convert("RGB"), np.float64) / 255
            luminance = image @ np.array([0.2126, 0.7152, 0.0722])
            ceiling = luminance[: len(luminance) // 3].mean()
            black = (luminance < 0.04).mean()
            print(f"| {preset} | {engine} | {luminance.mean():.3f} | {ceiling:.3f} | {black:.0%} | {seconds:.1f} |")
    return 0


def _render(scene: object, engine: str, path: Path) -> float:
    import bpy

    assert isinstance(scene, bpy.types.Scene)
    scene.render.engine = engine
    scene.render.resolution_x, scene.render.resolution_y = FRAME
    scene.render.resolution_percentage = 100
    scene.cycles.device = "CPU"
    scene.cycles.samples = 16
    scene.cycles.use_denoising = True
    scene.eevee.taa_render_samples = 8
    scene.render.filepath = str(path)
    started = time.perf_counter()
    bpy.ops.render.render(write_still=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
