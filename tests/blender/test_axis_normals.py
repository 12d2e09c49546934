"""Normal maps framed by the axes (core/axis_normals.py) shade as the UV-tangent normal maps did.

The level is seen all round by a panoramic camera, its framed materials showing their shading
normal as emission (one sample, no bounces: each pixel is the normal where its ray hits). The
same frame then with the recipes' own tangent-space normal maps, which make Cycles compute
MikkTSpace tangents: the normals must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest

SIZE = (128, 64)


def _module(addon: ModuleType, name: str) -> ModuleType:
    return __import__(f"{addon.__name__}.{name}", fromlist=["_"])


@pytest.fixture
def framed(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> list[bpy.types.Material]:
    """A small Level 0 seen all round from its spawn; its framed materials, showing their normals."""
    core = _module(addon, "core")
    recipes = _module(addon, "core.recipes")
    api.generate(core.LevelSpec(seed=3, width=9, depth=7), scene=scene)
    _panorama(scene)
    materials = [
        material
        for material in bpy.data.materials
        if recipes.load_recipes().get(material.get("backrooms_recipe", "")) is not None
        and recipes.load_recipes()[material["backrooms_recipe"]].normal_frame == recipes.AXES
    ]
    assert {m["backrooms_recipe"] for m in materials} == {"wallpaper", "baseboard", "carpet"}
    for material in materials:
        _emit_normal(material)
    return materials


def _panorama(scene: bpy.types.Scene) -> None:
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 1
    scene.cycles.use_adaptive_sampling = False
    scene.cycles.use_denoising = False
    scene.cycles.max_bounces = 0
    scene.render.resolution_x, scene.render.resolution_y = SIZE
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "OPEN_EXR"
    scene.render.image_settings.color_depth = "32"
    camera = scene.camera.data
    camera.type = "PANO"
    if hasattr(camera, "panorama_type"):  # Blender 4.2 keeps it in Cycles' settings
        camera.panorama_type = "EQUIRECTANGULAR"
    else:
        camera.cycles.panorama_type = "EQUIRECTANGULAR"


def _emit_normal(material: bpy.types.Material) -> None:
    """The material's surface: its shading normal, n / 2 + 1 / 2, as emission (not a light)."""
    tree = material.node_tree
    encode = tree.nodes.new("ShaderNodeVectorMath")
    encode.operation = "MULTIPLY_ADD"
    encode.inputs[1].default_value = encode.inputs[2].default_value = (0.5, 0.5, 0.5)
    emission = tree.nodes.new("ShaderNodeEmission")
    tree.links.new(tree.nodes["normal"].outputs["Normal"], encode.inputs[0])
    tree.links.new(encode.outputs[0], emission.inputs["Color"])
    tree.links.new(emission.outputs[0], tree.nodes["output"].inputs["Surface"])
    material.cycles.emission_sampling = "NONE"


def _normals(scene: bpy.types.Scene, path: Path) -> np.ndarray:
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
    image = bpy.data.images.load(str(path))
    pixels = np.empty(len(image.pixels), np.float32)
    image.pixels.foreach_get(pixels)
    bpy.data.images.remove(image)
    return pixels.reshape(SIZE[1], SIZE[0], 4)[..., :3].astype(np.float64) * 2 - 1


def _set(materials: list[bpy.types.Material], change: Callable[[bpy.types.NodeTree], None]) -> None:
    for material in materials:
        change(material.node_tree)


def _strength(value: float | None) -> Callable[[bpy.types.NodeTree], None]:
    def change(tree: bpy.types.NodeTree) -> None:
        if value is not None:
            tree.nodes["normal"].inputs["Strength"].default_value = value

    return change


def test_framed_normal_maps_give_the_uv_tangent_normals(
    scene: bpy.types.Scene, framed: list[bpy.types.Material], addon: ModuleType, tmp_path: Path
) -> None:
    """At full strength the normals are the same to rounding; at the recipes' strengths within
    what Blender's object-space strength (a blend towards the face's normal) differs from its
    tangent-space one; and the normal maps do bend the normals (the comparison is not empty)."""
    strengths = {m.name: m.node_tree.nodes["normal"].inputs["Strength"].default_value for m in framed}
    assert all(0.2 <= s <= 0.7 for s in strengths.values()), strengths
    as_built = _normals(scene, tmp_path / "framed.exr")
    _set(framed, _strength(1.0))
    full = _normals(scene, tmp_path / "full.exr")
    _set(framed, _strength(0.0))
    flat = _normals(scene, tmp_path / "flat.exr")
    with ExitStack() as undo:
        _module(addon, "realize.materials").normal_maps_as_written(framed, undo)
        _set(framed, _strength(1.0))
        full_uv = _normals(scene, tmp_path / "full_uv.exr")
        for material in framed:
            _strength(strengths[material.name])(material.node_tree)
        as_written = _normals(scene, tmp_path / "uv.exr")
    assert all(m.node_tree.nodes["normal"].space == "OBJECT" for m in framed), "framed again after"

    bent = np.abs(full - flat).max(axis=2)
    assert (bent > 0.1).mean() > 0.5, "the normal maps bend most pixels' normals"
    assert np.abs(full - full_uv).max() < 1e-4
    assert np.abs(as_built - as_written).max() < 0.08
    assert np.abs(as_built - as_written).mean() < 0.1 * np.abs(as_built - flat).mean()


def test_faces_seen_from_behind_get_the_uv_tangent_normals_too(
    scene: bpy.types.Scene, framed: list[bpy.types.Material], addon: ModuleType, tmp_path: Path
) -> None:
    """From under the floor, every ray up meets the carpet from behind (its normal turned round)."""
    scene.camera.location.z = -0.5
    _set(framed, _strength(1.0))
    framed_behind = _normals(scene, tmp_path / "framed.exr")
    with ExitStack() as undo:
        _module(addon, "realize.materials").normal_maps_as_written(framed, undo)
        as_written = _normals(scene, tmp_path / "uv.exr")
    _set(framed, _strength(0.0))
    flat = _normals(scene, tmp_path / "flat.exr")
    seen = np.abs(flat[..., 2] + 1) < 0.01  # the carpet's underside, facing down
    assert seen.mean() > 0.3
    assert (np.abs(framed_behind - flat).max(axis=2)[seen] > 0.1).mean() > 0.3, "bent from behind too"
    assert np.abs(framed_behind - as_written).max() < 1e-4


def test_only_a_few_faces_still_need_uv_tangents(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    """What Cycles computes tangents for is the meshes with a tangent-space normal map: in Level 0
    only the ceiling (a quad per piece; its tile recipe also dresses furniture of other UVs), no
    longer the walls, which hold most of the level's faces."""
    core = _module(addon, "core")
    level = api.generate(core.LevelSpec(seed=3, width=24, depth=24), scene=scene)
    faces = {obj.name: len(obj.data.polygons) for obj in level.objects if obj.type == "MESH"}
    tangent = {obj.name for obj in level.objects if obj.type == "MESH" and _reads_uv_tangents(obj)}
    walls = [name for name in faces if name.startswith("Backrooms walls")]
    assert walls and not tangent & set(walls)
    assert tangent and all(name.startswith("Backrooms ceiling") for name in tangent)
    assert sum(faces[name] for name in tangent) < 0.01 * sum(faces.values())


def _reads_uv_tangents(obj: bpy.types.Object) -> bool:
    return any(
        node.bl_idname == "ShaderNodeNormalMap" and node.space == "TANGENT"
        for slot in obj.material_slots
        if slot.material is not None
        for node in slot.material.node_tree.nodes
    )


def test_every_framed_material_holds_the_file_s_one_frame_group(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    """In the shader editor a framed material is its recipe's nodes and one group node; every
    framed material of every level in the file holds the same group, also after the file is saved
    and opened again and another level is made in it."""
    materials = _module(addon, "realize.materials")
    recipes = _module(addon, "core.recipes").load_recipes()
    api.generate(seed=3, width=9, depth=7, scene=scene)
    api.generate(preset="LEVEL_1", seed=2, width=9, depth=7, scene=scene, new_level=True)
    framed = [m for m in bpy.data.materials if materials.framing_node(m) is not None]
    assert {m["backrooms_recipe"] for m in framed} >= {"wallpaper", "carpet", "concrete_wall", "concrete_floor"}
    for material in framed:
        nodes = {node.name for node in material.node_tree.nodes}
        assert nodes == recipes[material["backrooms_recipe"]].nodes.keys() | {"frame"}
    groups = [g for g in bpy.data.node_groups if g.get("backrooms_recipe") == "axis_frame"]
    assert len(groups) == 1 and {materials.framing_node(m).node_tree for m in framed} == set(groups)
    sockets = {(item.in_out, item.name) for item in groups[0].interface.items_tree}
    assert sockets == {("INPUT", "Texel"), ("OUTPUT", "Normal")}

    path = tmp_path / "framed.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    api.generate(preset="LEVEL_2", seed=4, width=9, depth=7, scene=bpy.context.scene, new_level=True)
    framed_now = [m for m in bpy.data.materials if materials.framing_node(m) is not None]
    assert len(framed_now) > len(framed)  # Level 2's tunnel materials too
    groups = [g for g in bpy.data.node_groups if g.get("backrooms_recipe") == "axis_frame"]
    assert len(groups) == 1 and {materials.framing_node(m).node_tree for m in framed_now} == set(groups)
