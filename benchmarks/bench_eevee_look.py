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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FRAME = (128, 72)
CELLS = 24


NEAR_BLACK = 0.04  # luminance of an sRGB pixel below which it reads as black


def main() -> int:
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core.levels import LEVEL_PRESETS
    from backrooms_addon.realize.output import eevee_engine

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-eevee-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Blender {bpy.app.version_string}, frames in {folder}\n")
    print("| preset | engine | mean | ceiling band | near black | render (s) |")
    print("|---|---|---|---|---|---|")
    for preset in LEVEL_PRESETS:
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        scene = bpy.context.scene
        api.generate(preset=preset, seed=0, width=CELLS, depth=CELLS, scene=scene)
        for engine in ("CYCLES", eevee_engine()):
            path = folder / f"{preset}_{'cycles' if engine == 'CYCLES' else 'eevee'}.png"
            started = time.perf_counter()
            found = measure(render(scene, engine, path))
            seconds = time.perf_counter() - started
            print(
                f"| {preset} | {engine} | {found['mean']:.3f} | {found['ceiling']:.3f} | {found['black']:.0%} "
                f"| {seconds:.1f} |"
            )
    return 0


def render(
    scene: object, engine: str, path: Path, frame: tuple[int, int] = FRAME, samples: tuple[int, int] = (16, 8)
) -> Any:
    """The scene camera's view in `engine` (Cycles denoised, EEVEE with TAA; `samples` = (Cycles',
    EEVEE's)), saved to `path`, as sRGB values in [0, 1]."""
    import bpy
    import numpy as np
    from PIL import Image

    assert isinstance(scene, bpy.types.Scene)
    scene.render.engine = engine
    scene.render.resolution_x, scene.render.resolution_y = frame
    scene.render.resolution_percentage = 100
    scene.cycles.device = "CPU"
    scene.cycles.samples, scene.eevee.taa_render_samples = samples
    scene.cycles.use_denoising = True
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    return np.asarray(Image.open(path).convert("RGB"), np.float64) / 255


def measure(image: Any) -> dict[str, float]:
    """Mean luminance, that of the top third (the ceiling from an eye-height camera), near-black share."""
    import numpy as np

    luminance = image @ np.array([0.2126, 0.7152, 0.0722])
    return {
        "mean": float(luminance.mean()),
        "ceiling": float(luminance[: len(luminance) // 3].mean()),
        "black": float((luminance < NEAR_BLACK).mean()),
    }


if __name__ == "__main__":
    raise SystemExit(main())
