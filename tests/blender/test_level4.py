"""Level 4 in Blender: its furniture appended from furniture.blend (which holds the core's models)
and instanced at the plan's items, the dark slots over fallen tiles, the furniture copied into the
.glb with its collision, and a render greyer and bluer than Level 0's and Level 1's, darker than the
Poolrooms' and the Courtyard's."""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image


def _model(name: str) -> str:
    """What a variant object holds, from its name (`Backrooms #2 desk 90`: `desk 90`)."""
    found = re.fullmatch(r"Backrooms #\d+ (.+)", name)
    assert found is not None, name
    return found.group(1)


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
    # Each place gets its own model: the instanced object is the variant the plan chose there.
    # A variant object is named by its number, then its model: `Backrooms #2 desk 90`.
    picked = Counter(
        (tuple(np.round(np.array(i.matrix_world.translation, np.float64), 3).tolist()), _model(i.object.original.name))
        for i in depsgraph.object_instances
        if i.is_instance and i.parent is not None and i.parent.original.name.startswith("Backrooms furniture")
    )
    chosen = Counter(
        (tuple(np.round(position, 3).tolist()), found.kinds[variant].label)
        for position, variant in zip(found.positions, found.variants.tolist(), strict=True)
    )
    assert picked == chosen and len({name for _, name in chosen}) > 2
    models = {obj.name for obj in level.objects if obj.type == "MESH" and "backrooms_instancer" in obj}
    assert any(_model(name).startswith("desk") for name in models), models
    recipes = {slot.material.get("backrooms_recipe") for obj in level.objects for slot in obj.material_slots}
    assert {"carpet_tile", "office_wall", "furniture_metal", "furniture_fabric", "furniture_laminate"} <= recipes
    assert not recipes & {"wallpaper", "carpet"}, "no Level 0 wallpaper or carpet left"


def test_furniture_blend_holds_the_core_s_models_as_assets(scene: bpy.types.Scene, addon: ModuleType) -> None:
    """The file make_furniture.py writes: every model of core/furniture.py, face for face, its
    material slots named after the recipes a level puts there, marked as an asset; appending one
    leaves nothing behind."""
    troffers = importlib.import_module(f"{addon.__name__}.realize.troffers")
    furniture = addon.core.furniture
    before = (len(bpy.data.meshes), len(bpy.data.materials), len(bpy.data.images), len(bpy.data.objects))
    for name, make in furniture.MODELS.items():
        model, core = troffers.load_furniture(name), make()
        np.testing.assert_array_equal(model.vertices, core.vertices, err_msg=name)
        np.testing.assert_array_equal(model.uvs, core.uvs, err_msg=name)
        np.testing.assert_array_equal(model.material_indices, core.material_indices, err_msg=name)
    assert (len(bpy.data.meshes), len(bpy.data.materials), len(bpy.data.images), len(bpy.data.objects)) == before
    with bpy.data.libraries.load(str(troffers.FURNITURE_FILE), assets_only=True) as (source, _):
        assert set(source.objects) == set(furniture.MODELS), "marked as assets"
    with bpy.data.libraries.load(str(troffers.FURNITURE_FILE)) as (_, target):
        target.meshes = list(furniture.MODELS)
    try:
        for mesh in target.meshes:
            slots = tuple(material.get("backrooms_recipe") for material in mesh.materials)
            assert slots == furniture.FURNITURE_MATERIALS, (mesh.name, slots)
    finally:
        for mesh in target.meshes:
            bpy.data.meshes.remove(mesh)
    assert troffers.FURNITURE_FILE.stat().st_size < 300_000, "small: no textures packed in"


def test_the_instanced_furniture_is_furniture_blend_s(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A furniture.blend whose desk is half as big again gives instances half as big again: the
    level's furniture models are the file's, fitted and turned as the plan fits the core's."""
    troffers = importlib.import_module(f"{addon.__name__}.realize.troffers")
    mesh_module = importlib.import_module(f"{addon.__name__}.realize.mesh")
    meshes = set()
    for name in addon.core.furniture.MODELS:
        model = troffers.load_furniture(name)
        grown = model.vertices * (1.5 if name == "desk" else 1.0)
        meshes.add(mesh_module.mesh_from_arrays(name, dataclasses.replace(model, vertices=grown), []))
    bpy.data.libraries.write(str(tmp_path / "furniture.blend"), meshes)
    for mesh in meshes:
        bpy.data.meshes.remove(mesh)
    monkeypatch.setattr(troffers, "FURNITURE_FILE", tmp_path / "furniture.blend")
    level = api.generate(preset="LEVEL_4", seed=4, width=24, depth=24, scene=scene)
    kinds = {kind.label: kind for kind in level.plan.meshes.copies_of("furniture").instances().kinds}
    made = {_model(obj.name): obj for obj in level.objects if obj.type == "MESH" and "backrooms_instancer" in obj}
    desks = [label for label in kinds if label.rsplit(" ", 1)[0] == "desk"]
    assert desks, sorted(kinds)
    for label in desks:
        positions = np.empty(len(made[label].data.vertices) * 3, np.float32)
        made[label].data.vertices.foreach_get("co", positions)
        np.testing.assert_allclose(positions.reshape(-1, 3), kinds[label].mesh.vertices * 1.5, atol=1e-5)


def test_fallen_tiles_leave_dark_slots_in_the_ceiling(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(preset="LEVEL_4", seed=21, width=24, depth=18, scene=scene)
    found = level.plan.meshes.copies_of("furniture").instances()
    tiles = sum(found.kinds[v].label.startswith("fallen tile") for v in found.variants.tolist())
    gaps = [obj for obj in level.objects if obj.type == "MESH" and obj.name.startswith("Backrooms ceiling gaps")]
    assert tiles and sum(len(obj.data.polygons) for obj in gaps) == tiles
    recipes = {slot.material.get("backrooms_recipe") for obj in gaps for slot in obj.material_slots}
    assert recipes == {"ceiling_gap"}


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
