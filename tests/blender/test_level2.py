"""Level 2 in Blender: its pipes as objects with their materials, and its look in a render."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image


def test_level_2_builds_its_pipes_in_rust_and_paint(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(preset="LEVEL_2", seed=4, width=12, depth=12, scene=scene)
    pipes = [obj for obj in level.objects if obj.name.startswith("Backrooms pipes")]
    assert pipes and all(obj.data.validate(verbose=False) is False for obj in pipes)
    recipes = {slot.material.get("backrooms_recipe") for obj in level.objects for slot in obj.material_slots}
    assert {"tunnel_wall", "tunnel_floor", "tunnel_ceiling", "tunnel_pipe_rust", "tunnel_pipe_steel"} <= recipes
    assert not recipes & {"wallpaper", "carpet", "ceiling_tile"}, "no Level 0 material left"
    lowest = min(min(v.co.z for v in obj.data.vertices) for obj in pipes)
    assert lowest >= 2.0 - 1e-4, "the pipes hang above head height"


def _render(tmp: Path, preset: str, seed: int) -> np.ndarray:
    name = f"{preset}_{seed}"
    command = [sys.executable, "-m", "backrooms_addon", "generate", "--preset", preset, "--seed", str(seed)]
    command += ["--formats", "png", "--samples", "8", "--resolution", "160x90", "--out", str(tmp), "--name", name]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return np.asarray(Image.open(tmp / f"{name}.png").convert("RGB"), np.float64) / 255


def _look(pixels: np.ndarray) -> np.ndarray:
    """Mean brightness, the share of near-black pixels, how far lit pixels lean to yellow (red and
    green over blue), and how warm the light on them is (red over blue)."""
    value = pixels.max(axis=2)
    r, g, b = (pixels[value > 0.08][:, k] for k in range(3))
    return np.array([value.mean(), (value < 0.05).mean(), ((r + g) / 2 - b).mean(), r.mean() / b.mean()])


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_level_2_is_dim_warm_lit_grey_tunnels_unlike_the_lobby_and_the_basement(tmp_path: Path) -> None:
    """Two views each (one camera may happen to stand under a lamp), measured on average."""
    looks = {key: np.mean([_look(_render(tmp_path, key, seed)) for seed in (4, 5)], axis=0) for key in KEYS}
    (value, dark, yellow, warm), lobby, basement = looks["LEVEL_2"], looks["LEVEL_0"], looks["LEVEL_1"]
    assert value < 0.6 * lobby[0] and dark > lobby[1] + 0.3, f"much darker than the Lobby: {looks}"
    assert yellow < 0.5 * lobby[2], f"grey concrete, not yellow wallpaper: {looks}"
    assert dark > basement[1] + 0.15, f"more of it in the dark than the basement's halls: {looks}"
    assert warm > basement[3], f"warm bulbs, not the basement's cold strips: {looks}"


KEYS = ("LEVEL_0", "LEVEL_1", "LEVEL_2")
