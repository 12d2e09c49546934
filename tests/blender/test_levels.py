"""The other levels in Blender: stacked floors, Level 1's lamps, and each preset's look in a render."""

from __future__ import annotations

import colorsys
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image


def test_stacked_floors_build_with_stairs_and_pitfalls(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=3, width=32, depth=32, floors=2, pitfall_density=0.1, scene=scene)
    kinds = {obj.name.split()[1] for obj in level.objects if obj.type == "MESH"}
    assert {"walls", "floor", "ceiling", "fixtures", "stairs", "pitfalls"} <= kinds
    for obj in level.objects:
        if obj.type == "MESH":
            assert obj.data.validate(verbose=False) is False, f"{obj.name}: Blender had to repair it"
    tops = [max(v.co.z for v in obj.data.vertices) for obj in level.objects if obj.name.startswith("Backrooms walls")]
    assert max(tops) == pytest.approx(2 * 2.8 + 0.3, abs=1e-4), "the second floor's walls stand on the first"


def test_level_1_has_sodium_and_white_tubes(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(preset="LEVEL_1", seed=4, scene=scene, light_budget=64)
    assert level.collection.name == "Backrooms Level 1 (seed 4)", "named after its level"
    colours = {tuple(round(c, 2) for c in obj.data.color) for obj in level.objects if obj.type == "LIGHT"}
    assert (1.0, 0.55, 0.18) in colours and len(colours) >= 2, colours
    recipes = {slot.material.get("backrooms_recipe") for obj in level.objects for slot in obj.material_slots}
    assert {"concrete_wall", "concrete_floor", "concrete_ceiling", "fixture_sodium"} <= recipes
    assert not recipes & {"wallpaper", "carpet", "ceiling_tile"}, "no Level 0 material left"


def _render(tmp: Path, preset: str) -> np.ndarray:
    command = [sys.executable, "-m", "backrooms_addon", "generate", "--preset", preset, "--seed", "4"]
    command += ["--formats", "png", "--samples", "8", "--resolution", "160x90", "--out", str(tmp), "--name", preset]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return np.asarray(Image.open(tmp / f"{preset}.png").convert("RGB"), np.float64) / 255


def _saturation_and_value(pixels: np.ndarray) -> tuple[float, float]:
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in pixels.reshape(-1, 3)[::7]])
    lit = hsv[:, 2] > 0.08  # the colour of what is lit; black has no hue
    return float(np.mean(hsv[lit, 1])), float(np.mean(hsv[:, 2]))


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_each_preset_looks_unlike_level_0_in_its_own_way(tmp_path: Path) -> None:
    looks = {key: _saturation_and_value(_render(tmp_path, key)) for key in ("LEVEL_0", "LEVEL_1", "LEVEL_37")}
    (sat0, val0), (sat1, _), (sat37, val37) = looks["LEVEL_0"], looks["LEVEL_1"], looks["LEVEL_37"]
    assert sat1 < 0.5 * sat0, f"Level 1 is grey concrete, not yellow: {looks}"
    assert val37 > val0 and sat37 < 0.5 * sat0, f"the Poolrooms are brighter and whiter: {looks}"
