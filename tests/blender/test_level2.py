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


def _render(tmp: Path, preset: str) -> np.ndarray:
    command = [sys.executable, "-m", "backrooms_addon", "generate", "--preset", preset, "--seed", "5"]
    command += ["--formats", "png", "--samples", "8", "--resolution", "160x90", "--out", str(tmp), "--name", preset]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return np.asarray(Image.open(tmp / f"{preset}.png").convert("RGB"), np.float64) / 255


def _look(pixels: np.ndarray) -> dict[str, float]:
    """Mean brightness, the share of near-black pixels, and how far lit pixels lean to yellow
    (red and green over blue)."""
    value = pixels.max(axis=2)
    lit = value > 0.08
    r, g, b = (pixels[lit][:, k] for k in range(3))
    return {
        "value": float(value.mean()),
        "dark": float((value < 0.05).mean()),
        "yellow": float(((r + g) / 2 - b).mean()),
    }


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_level_2_is_dim_grey_tunnels_unlike_the_lobby_and_the_basement(tmp_path: Path) -> None:
    looks = {key: _look(_render(tmp_path, key)) for key in ("LEVEL_0", "LEVEL_1", "LEVEL_2")}
    tunnels, lobby, basement = looks["LEVEL_2"], looks["LEVEL_0"], looks["LEVEL_1"]
    assert tunnels["value"] < 0.6 * lobby["value"], f"darker than the Lobby: {looks}"
    assert tunnels["dark"] > lobby["dark"] + 0.15, f"much of it in the dark: {looks}"
    assert tunnels["yellow"] < 0.5 * lobby["yellow"], f"grey concrete, not yellow wallpaper: {looks}"
    assert tunnels["dark"] > basement["dark"], f"darker than the basement's lit halls: {looks}"
