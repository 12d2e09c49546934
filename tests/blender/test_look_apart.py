"""Every level that comes as a kit looks unlike every other preset, by measurement: each preset is
rendered from the spawn cameras of two seeds in a tiny Cycles frame, and each kit's level differs
from every other preset in at least one mean measure by more than that measure's margin."""

from __future__ import annotations

import colorsys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from paths import load_script

from backrooms_addon.core.kits import KITS
from backrooms_addon.core.levels import LEVEL_PRESETS

pytestmark = pytest.mark.slow

LOOK = load_script("benchmarks/bench_eevee_look.py")
FRAME, SAMPLES, CELLS = (96, 54), (8, 4), 24
SEEDS = (0, 1)  # each look is the mean of two views: one view may face a wall or a dark room
# How far apart two looks must be in a measure to tell them apart (a few times the noise of 8
# samples between seeds, which bench_eevee_look.py's figures show).
MARGINS = {"value": 0.05, "saturation": 0.08, "red": 0.04, "cool": 0.02, "dark": 0.15, "hue": 25.0}


def measures(image: np.ndarray) -> dict[str, float]:
    """Mean brightness, saturation and hue of what is lit, the red share of the mean colour, how
    much bluer than red what is lit is (a cool or a warm light), and the share of near-black pixels."""
    pixels = image.reshape(-1, 3)
    value = pixels.max(axis=1)
    lit = pixels[value > 0.08]
    mean = (lit if len(lit) else pixels).mean(axis=0)
    hue, saturation, _ = colorsys.rgb_to_hsv(*mean)
    return {
        "value": float(value.mean()),
        "saturation": float(saturation),
        "red": float(pixels.mean(axis=0)[0] / max(pixels.mean(axis=0).sum(), 1e-6)),
        "cool": float((mean[2] - mean[0]) / max(mean.sum(), 1e-6)),
        "dark": float((value < 0.05).mean()),
        "hue": float(360 * hue) if saturation > 0.1 else float("nan"),
    }


def apart(a: dict[str, float], b: dict[str, float]) -> list[str]:
    """The measures in which two looks differ by more than their margins."""
    found = []
    for name, margin in MARGINS.items():
        if name == "hue":
            if np.isnan(a[name]) or np.isnan(b[name]):
                continue
            gap = abs((a[name] - b[name] + 180) % 360 - 180)
        else:
            gap = abs(a[name] - b[name])
        if gap > margin:
            found.append(name)
    return found


@pytest.mark.skipif(not KITS, reason="no level comes as a kit")
def test_every_kits_level_looks_unlike_every_other_preset(
    scene: bpy.types.Scene, api: ModuleType, tmp_path: Path
) -> None:
    looks = {}
    for key in LEVEL_PRESETS:
        seen = []
        for seed in SEEDS:
            bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
            scene = bpy.context.scene
            api.generate(preset=key, seed=seed, width=CELLS, depth=CELLS, scene=scene)
            seen.append(measures(LOOK.render(scene, "CYCLES", tmp_path / f"{key}.png", FRAME, SAMPLES)))
        looks[key] = {name: float(np.mean([look[name] for look in seen])) for name in MARGINS}
    for kit in KITS:
        mine = kit.presets[0].key
        alike = [key for key in looks if key != mine and not apart(looks[mine], looks[key])]
        assert not alike, f"{mine} looks like {alike}: {looks[mine]} against {[looks[k] for k in alike]}"
