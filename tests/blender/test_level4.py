"""Level 4 in Blender: its furniture instanced at the plan's items, copied into the .glb with its
collision, and a render greyer and bluer than Level 0's and Level 1's, darker than the Poolrooms' and
the Courtyard's."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image


def test_the_furniture_is_instanced_where_the_plan_puts_it(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    level = api.generate(preset="LEVEL_4", seed=4, width=24, depth=24, scene=scene)
    found = level.plan.meshes.copies_of("furniture").instances()
    assert len(found.positions) > 10
    depsgraph = bpy.context.evaluated_depsgraph_get()
    placed = [
        np.array(i.matrix_world.translation, np.float64)
        for i in depsgraph.object_instances
        if i.is_instance and i.parent is not None and i.parent.original.name.startswith("Backrooms furniture")
    ]
    rows = lambda a: np.round(np.asarray(a), 3)[np.lexsort(np.round(np.asarray(a), 3).T[::-1])]  # noqa: E731
    np.testing.assert_allclose(rows(placed), rows(found.positions), atol=1e-3)
    models = {obj.name for obj in level.objects if obj.type == "MESH" and "backrooms_instancer" in obj}
    assert any(name.startswith("Backrooms desk") for name in models), models
    recipes = {slot.material.get("backrooms_recipe") for obj in level.objects for slot in obj.material_slots}
    assert {"carpet_tile", "office_wall", "furniture_metal", "furniture_fabric", "furniture_laminate"} <= recipes
    assert not recipes & {"wallpaper", "carpet"}, "no Level 0 wallpaper or carpet left"


def _generate(tmp: Path, preset: str, formats: str) -> None:
    command = [sys.executable, "-m", "backrooms_addon", "generate", "--preset", preset, "--seed", "4"]
    command += ["--formats", formats, "--samples", "8", "--resolution", "160x90", "--out", str(tmp), "--name", preset]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def _look(tmp: Path, preset: str) -> tuple[float, float, float]:
    """Mean brightness, saturation of what is lit, and blue over red of what is lit."""
    pixels = np.asarray(Image.open(tmp / f"{preset}.png").convert("RGB"), np.float64).reshape(-1, 3) / 255
    high, low = pixels.max(axis=1), pixels.min(axis=1)
    lit = high > 0.08
    saturation = float(np.mean((high - low)[lit] / high[lit]))
    return float(high.mean()), saturation, float(np.mean(pixels[lit, 2] - pixels[lit, 0]))


def _glb_nodes(path: Path) -> list[str]:
    data = path.read_bytes()
    length = struct.unpack_from("<I", data, 12)[0]
    return [node.get("name", "") for node in json.loads(data[20 : 20 + length])["nodes"]]


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_level_4_looks_like_an_office_and_exports_its_furniture(tmp_path: Path) -> None:
    _generate(tmp_path, "LEVEL_4", "png,glb")
    nodes = _glb_nodes(tmp_path / "LEVEL_4.glb")
    assert any(name.startswith("Backrooms furniture") for name in nodes), "the furniture, copied"
    assert any(name.endswith("-colonly") for name in nodes)
    looks = {"LEVEL_4": _look(tmp_path, "LEVEL_4")}
    for other in ("LEVEL_0", "LEVEL_1", "LEVEL_37", "LEVEL_188"):
        _generate(tmp_path, other, "png")
        looks[other] = _look(tmp_path, other)
    value, saturation, blue = looks["LEVEL_4"]
    for other in ("LEVEL_0", "LEVEL_1"):  # yellow wallpaper, grey concrete under sodium and white tubes
        assert saturation < 0.6 * looks[other][1] and blue > looks[other][2] + 0.03, f"grey-blue office: {looks}"
    for other in ("LEVEL_37", "LEVEL_188"):  # white tiles, daylight
        assert value < 0.6 * looks[other][0], f"darker, half its lights dead: {looks}"
