"""Troffers as instances: one mesh per variant, placed by Geometry Nodes at the plan's fixtures."""

from __future__ import annotations

import json
import re
import struct
from collections import Counter
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from PIL import Image

LEVEL_KEY = "backrooms_level"
INSTANCER = "backrooms_instancer"  # a variant object's number among its kind's


def _module(addon: ModuleType, name: str) -> ModuleType:
    return __import__(f"{addon.__name__}.{name}", fromlist=["_"])


def _instances(scene: bpy.types.Scene) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(the instancing object's name, the instance's matrix, its world vertices) per instance."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    found = []
    for instance in depsgraph.object_instances:
        if not instance.is_instance or instance.parent is None:
            continue
        matrix = np.array(instance.matrix_world, np.float64)
        mesh = instance.object.original.data
        local = np.empty(len(mesh.vertices) * 3, np.float32)
        mesh.vertices.foreach_get("co", local)
        points = local.reshape(-1, 3).astype(np.float64) @ matrix[:3, :3].T + matrix[:3, 3]
        found.append((instance.parent.original.name, matrix, points))
    return found


def _picked_by_variant(scene: bpy.types.Scene) -> int:
    """Every instance is the variant its point names (the point's `variant` attribute, the variant
    object's number), in every instancing object; returns how many instances there are."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    made: dict[str, list[tuple[tuple[float, ...], int]]] = {}
    for instance in depsgraph.object_instances:
        if instance.is_instance and instance.parent is not None:
            where = tuple(np.round(np.array(instance.matrix_world.translation, np.float64), 3).tolist())
            made.setdefault(instance.parent.original.name, []).append((where, instance.object.original[INSTANCER]))
    for name, instances in made.items():
        mesh = bpy.data.objects[name].data
        positions = np.empty(len(mesh.vertices) * 3, np.float32)
        mesh.attributes["position"].data.foreach_get("vector", positions)
        variants = np.empty(len(mesh.vertices), np.int32)
        mesh.attributes["variant"].data.foreach_get("value", variants)
        world = positions.reshape(-1, 3).astype(np.float64) + np.array(bpy.data.objects[name].matrix_world.translation)
        points = [tuple(np.round(p, 3).tolist()) for p in world]
        assert sorted(instances) == sorted(zip(points, variants.tolist(), strict=True)), name
    return sum(len(instances) for instances in made.values())


def _sorted_rows(points: np.ndarray) -> np.ndarray:
    rounded = np.round(points, 4)
    return rounded[np.lexsort(rounded.T[::-1])]


def test_troffers_are_instances_at_the_fixtures_with_their_state_s_material(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    plan_module = _module(addon, "core.plan")
    level = api.generate(seed=21, width=40, depth=30, flicker_fraction=0.2, dead_fraction=0.1, scene=scene)
    plan = level.plan
    assert plan_module.FIXTURES in plan.meshes.instanced
    found = _instances(scene)
    # In runs along the ceiling grid (tests/core/test_runs.py): fewer instances than troffers,
    # each at its run's first fixture, unrotated and unscaled.
    runs = plan.meshes.copies.instanced()
    assert len(found) == len(runs.positions) < 0.8 * len(plan.fixtures) and len(plan.fixtures) > 100
    assert max(kind.run for kind in runs.kinds) > 1
    positions = np.array([matrix[:3, 3] for _, matrix, _ in found])
    np.testing.assert_allclose(_sorted_rows(positions), _sorted_rows(runs.positions), atol=1e-4)
    assert all(np.allclose(matrix[:3, :3], np.eye(3)) for _, matrix, _ in found)
    # Each with its state's diffuser: the plan's states, counted by material.
    depsgraph = bpy.context.evaluated_depsgraph_get()
    diffusers = Counter(
        (
            tuple(np.round(np.array(i.matrix_world.translation, np.float64), 3).tolist()),
            i.object.original.material_slots[1].material.name,
        )
        for i in depsgraph.object_instances
        if i.is_instance and i.parent is not None
    )
    materials = _module(addon, "realize.materials")
    names = _module(addon, "core.troffer").FIXTURE_MATERIALS
    expected = Counter(
        (tuple(np.round(position, 3).tolist()), materials.ensure_material(names[1 + state]).name)
        for position, state in zip(runs.positions, runs.states.tolist(), strict=True)
    )
    assert diffusers == expected
    assert len(set(plan.fixture_states.tolist())) >= 4, "steady, dead and flickering ones"
    # Past variant #9: the group picks them in their numbers' order, not their names' letters.
    assert len(runs.kinds) > 10 and _picked_by_variant(scene) == len(found)
    frames = {i.object.original.material_slots[0].material.name for i in depsgraph.object_instances if i.is_instance}
    assert frames == {materials.ensure_material("troffer_frame").name}
    # The same faces, where they were copied before: each piece's instances against its copies.
    by_piece: dict[str, list[np.ndarray]] = {}
    for parent, _, points in found:
        by_piece.setdefault(parent, []).append(points)
    for piece, part in plan.meshes["fixtures"].split():
        name = f"Backrooms fixtures {piece % plan.pieces.columns},{piece // plan.pieces.columns}"
        np.testing.assert_allclose(
            _sorted_rows(np.concatenate(by_piece[name])), _sorted_rows(part.vertices.astype(np.float64)), atol=2e-4
        )
    # Blender holds one troffer mesh per variant (a state and a run length), no copies.
    meshes = {obj.data for obj in level.objects if obj.type == "MESH"}
    assert sum(len(mesh.polygons) for mesh in meshes) == plan.uploaded_face_count() < plan.face_count()


def test_a_render_matches_the_copied_troffers(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    """A small Cycles frame of the instanced level against the same level with copied troffers."""
    output = _module(addon, "realize.output")
    presets = _module(addon, "core.render").RENDER_PRESETS
    materials = _module(addon, "realize.materials")
    mesh_module = _module(addon, "realize.mesh")
    level = api.generate(seed=3, width=16, depth=16, flicker_fraction=0.3, dead_fraction=0.2, scene=scene)
    output.apply_render_preset(scene, presets["preview"], samples=8, resolution=(96, 54))
    scene.cycles.use_denoising = False
    scene.cycles.seed = 1
    # The glowing diffusers light the scene through the lamps alone here: sampling them as mesh
    # lights follows the light tree, which is built another way for instances than for copies,
    # and the noise would differ (not the picture).
    for material in bpy.data.materials:
        material.cycles.emission_sampling = "NONE"
    folder = Path(bpy.app.tempdir or "/tmp")
    output.render_png(scene, folder / "instanced.png")
    # The same level with the troffers copied, as the add-on built it before instancing.
    plan = level.plan
    copies = plan.meshes["fixtures"]
    slots = [materials.ensure_material(name) for name in copies.materials]
    for obj in [o for o in level.objects if o.name.startswith("Backrooms fixtures")]:
        obj.hide_render = True
    for piece, part in copies.split():
        copied = bpy.data.objects.new(f"copies {piece}", mesh_module.mesh_from_arrays(f"copies {piece}", part, slots))
        level.collection.objects.link(copied)
    output.render_png(scene, folder / "copied.png")
    instanced = np.asarray(Image.open(folder / "instanced.png").convert("RGB"), np.float64) / 255
    copied = np.asarray(Image.open(folder / "copied.png").convert("RGB"), np.float64) / 255
    assert copied.mean() > 0.05, "something lit to compare"
    assert np.abs(instanced - copied).mean() < 0.002
    # The troffers are in the picture: without them it differs.
    for obj in bpy.data.objects:
        if obj.name.startswith("copies "):
            obj.hide_render = True
    output.render_png(scene, folder / "none.png")
    bare = np.asarray(Image.open(folder / "none.png").convert("RGB"), np.float64) / 255
    assert np.abs(bare - copied).mean() > 10 * np.abs(instanced - copied).mean()


def _instancers() -> list[bpy.types.NodeTree]:
    """The file's Geometry Nodes groups (the troffers' instancers; the framed materials' shader
    group is shared by the file's materials, which Clear keeps)."""
    return [group for group in bpy.data.node_groups if group.bl_idname == "GeometryNodeTree"]


def _is_troffer_model(name: str) -> bool:
    """A troffer variant's object: `Backrooms #3 troffer 60x120 steady x2`."""
    return re.fullmatch(r"Backrooms #\d+ troffer \d+x\d+ .+", name) is not None


def _made(level_id: str) -> dict[str, list[str]]:
    return {
        kind: sorted(block.name for block in getattr(bpy.data, kind) if block.get(LEVEL_KEY) == level_id)
        for kind in ("objects", "meshes", "node_groups")
    }


def test_regenerate_and_clear_leave_nothing_behind(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=4, width=20, depth=20, scene=scene)
    made = _made(level.level_id)
    assert len(made["node_groups"]) == 1 and any(_is_troffer_model(name) for name in made["objects"])
    assert len(_instancers()) == 1
    again = api.generate(seed=4, width=20, depth=20, scene=scene)
    assert again.level_id == level.level_id
    assert _made(level.level_id) == made, "the same blocks, the old ones gone"
    assert len(_instancers()) == 1 and all(mesh.users for mesh in bpy.data.meshes)
    assert bpy.ops.backrooms.clear(all_levels=True) == {"FINISHED"}
    assert not any(_made(level.level_id).values())
    assert len(_instancers()) == 0
    assert not [mesh.name for mesh in bpy.data.meshes], "no orphan meshes"
    assert not [obj.name for obj in bpy.data.objects]
    assert not [c.name for c in bpy.data.collections], "nor the variants' collection"


def test_an_instancer_that_fails_half_made_leaves_nothing_after_clear(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Blender whose Geometry Nodes lack a socket the group needs: the build stops with the error,
    no half-made group is left, and Clear takes the rest (the variants' collection too)."""
    troffers = _module(addon, "realize.troffers")

    def missing(group: bpy.types.NodeTree, variants: bpy.types.Collection) -> None:
        group.nodes.new("GeometryNodeCollectionInfo")
        raise KeyError('bpy_prop_collection[key]: key "Separate Children" not found')

    monkeypatch.setattr(troffers, "_instance_by_variant", missing)
    with pytest.raises(KeyError, match="Separate Children"):
        api.generate(seed=4, width=20, depth=20, scene=scene)
    assert not _instancers(), "the half-made group is gone at once"
    assert bpy.ops.backrooms.clear(all_levels=True) == {"FINISHED"}
    assert not _instancers() and not bpy.data.collections and not bpy.data.objects and not bpy.data.meshes


def test_saving_and_reopening_keeps_the_instances(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    level = api.generate(seed=6, width=24, depth=24, scene=scene)
    before = _sorted_rows(np.array([matrix[:3, 3] for _, matrix, _ in _instances(scene)]))
    assert len(before) == len(level.plan.meshes.copies.instanced().positions) > 0
    path = tmp_path / "instanced.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(path))
    after = _sorted_rows(np.array([matrix[:3, 3] for _, matrix, _ in _instances(bpy.context.scene)]))
    np.testing.assert_array_equal(after, before)
    # And Clear still finds all of it in the reopened file.
    assert bpy.ops.backrooms.clear(all_levels=True) == {"FINISHED"}
    assert not _instancers() and not bpy.data.meshes and not bpy.data.collections


def test_the_game_export_holds_the_troffers_as_geometry(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    """The .glb gets each piece's troffers as one mesh, from the plan's copies; Blender keeps its instances."""
    level = api.generate(seed=8, width=20, depth=20, scene=scene)
    before = {kind: len(getattr(bpy.data, kind)) for kind in ("objects", "meshes", "node_groups")}
    _module(addon, "realize.gltf").export_game_glb(tmp_path / "level.glb", scene)
    assert {kind: len(getattr(bpy.data, kind)) for kind in before} == before, "nothing left of the export"
    data = (tmp_path / "level.glb").read_bytes()
    (length,) = struct.unpack_from("<I", data, 12)
    gltf = json.loads(data[20 : 20 + length])
    nodes = {node["name"]: node for node in gltf["nodes"]}
    (part,) = [part for _, part in level.plan.meshes["fixtures"].split()]
    mesh = gltf["meshes"][nodes["Backrooms fixtures 0,0"]["mesh"]]
    positions = [gltf["accessors"][p["attributes"]["POSITION"]] for p in mesh["primitives"]]
    # glTF is y-up: Blender's (x, y, z) is (x, z, -y) there.
    low = np.min([accessor["min"] for accessor in positions], axis=0)
    high = np.max([accessor["max"] for accessor in positions], axis=0)
    vertices = part.vertices[:, [0, 2, 1]] * [1, 1, -1]
    np.testing.assert_allclose(low, vertices.min(axis=0), atol=1e-4)
    np.testing.assert_allclose(high, vertices.max(axis=0), atol=1e-4)
    assert "EXT_mesh_gpu_instancing" not in gltf.get("extensionsUsed", [])
    troffer = {gltf["materials"][p["material"]]["name"] for p in mesh["primitives"]}
    assert len(troffer) == len(set(part.material_indices.tolist())), "the frame and each state's diffuser"


def test_a_walk_s_chunks_share_the_troffers(scene: bpy.types.Scene, api: ModuleType) -> None:
    walked = api.walk(seed=2, length=40.0, view_radius=30.0, scene=scene)
    assert len(_instancers()) == 1
    variants = [obj for obj in walked.objects if _is_troffer_model(obj.name)]
    assert len(variants) == len({obj.name for obj in variants}) >= 2
    assert sorted(obj[INSTANCER] for obj in variants) == list(range(len(variants)))
    # Variants made for later chunks do not change what the earlier chunks' points pick.
    assert _picked_by_variant(scene) == len(_instances(scene)) > 0
    assert bpy.ops.backrooms.clear(all_levels=True) == {"FINISHED"}
    assert not _instancers() and not bpy.data.meshes and not bpy.data.collections
