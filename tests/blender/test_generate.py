"""Generating levels in Blender: the operator, the API, ownership, materials, camera."""

from __future__ import annotations

import hashlib
import importlib
import json
from types import ModuleType

import bpy
import numpy as np
import pytest

LEVEL_KEY = "backrooms_level"
# The core golden level (tests/core/test_geometry.py); generator 4 opened a doorway in it.
GOLDEN_POSITIONS = "4385240ef1418679f5d8b3e52e7ffed87383490861efc1c34bccbe1a648a591f"


def _owned(level_id: str) -> list[bpy.types.Object]:
    return [obj for obj in bpy.data.objects if obj.get(LEVEL_KEY) == level_id]


def _mesh_arrays(mesh: bpy.types.Mesh) -> dict[str, np.ndarray]:
    """What Blender holds for a mesh, read back through its attributes."""
    arrays = {}
    for name, width in (("position", 3), ("UVMap", 2), ("Lightmap", 2)):
        data = mesh.attributes[name].data
        values = np.empty(len(data) * width, np.float32)
        data.foreach_get("vector", values)
        arrays[name] = values.reshape(-1, width)
    sizes = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("loop_total", sizes)
    arrays["sizes"] = sizes
    corners = np.empty(len(mesh.loops), np.int32)
    mesh.loops.foreach_get("vertex_index", corners)
    arrays["corners"] = corners
    materials = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("material_index", materials)
    arrays["materials"] = materials
    return arrays


def _edges(mesh: bpy.types.Mesh) -> list[tuple[int, int]]:
    """The mesh's edges as sorted vertex pairs, in order."""
    pairs = np.empty(len(mesh.edges) * 2, np.int32)
    mesh.edges.foreach_get("vertices", pairs)
    return sorted(map(tuple, np.sort(pairs.reshape(-1, 2), axis=1).tolist()))


def _edges_blender_finds(part) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The edges Blender works out itself for the part's faces (from_pydata finds them)."""
    mesh = bpy.data.meshes.new("edges found")
    try:
        mesh.from_pydata(part.vertices.tolist(), [], part.faces.tolist())
        return _edges(mesh)
    finally:
        bpy.data.meshes.remove(mesh)


def _positions(mesh: bpy.types.Mesh) -> np.ndarray:
    values = np.empty(len(mesh.vertices) * 3, np.float32)
    mesh.attributes["position"].data.foreach_get("vector", values)
    return values.reshape(-1, 3)


def test_operator_builds_the_plan_exactly(scene: bpy.types.Scene, addon: ModuleType) -> None:
    assert bpy.ops.backrooms.generate(seed=7, width=32, depth=32) == {"FINISHED"}
    (collection,) = [c for c in bpy.data.collections if LEVEL_KEY in c]
    plan = addon.core.plan_level(addon.core.LevelSpec(seed=7, width=32, depth=32))
    objects = {obj.name: obj for obj in collection.objects}
    level = importlib.import_module(f"{addon.__name__}.realize.level")
    expected = 0
    for kind, arrays in plan.meshes.items():
        for piece, part in arrays.split():
            obj = objects[level.piece_name(kind, piece, plan.pieces.columns)]
            expected += 1
            if kind in plan.meshes.instanced:  # points that instance the troffers: test_instancing.py
                runs = plan.meshes.copies_of(kind).instanced()  # a point per run of troffers
                assert len(obj.data.vertices) == np.count_nonzero(runs.pieces == piece) and not obj.data.polygons
                continue
            mesh = obj.data
            assert mesh.validate(verbose=False) is False, f"{obj.name}: Blender had to repair the mesh"
            got = _mesh_arrays(mesh)
            np.testing.assert_array_equal(got["position"], part.vertices)
            np.testing.assert_array_equal(got["corners"], part.faces.ravel())
            assert (got["sizes"] == 4).all(), "quads only"
            np.testing.assert_array_equal(got["UVMap"], part.uvs)
            np.testing.assert_array_equal(got["Lightmap"], part.lightmap)
            np.testing.assert_array_equal(got["materials"], part.material_indices)
            assert _edges(mesh) == _edges_blender_finds(part), f"{obj.name}: edges not as Blender makes them"
            assert [uv.name for uv in mesh.uv_layers] == ["UVMap", "Lightmap"]
            assert mesh.uv_layers.active.name == "UVMap"
            assert [m.get("backrooms_recipe") for m in mesh.materials] == list(arrays.materials)
            assert list(obj["backrooms_piece"]) == [piece % plan.pieces.columns, piece // plan.pieces.columns]
    meshes = [obj for obj in collection.objects if obj.type == "MESH"]
    assert len(meshes) == expected
    lamps = [obj for obj in collection.objects if obj.type == "LIGHT"]
    assert len(lamps) == len(plan.lamps)
    # Steady lamps share one light; each flicker pattern has its own.
    assert len({lamp.data.name for lamp in lamps}) == len(set(plan.lamp_states.tolist()))
    assert scene.camera is not None and scene.camera.name in objects
    assert scene.camera.location.z == pytest.approx(1.6)
    for obj in collection.objects:
        assert obj[LEVEL_KEY] == collection[LEVEL_KEY]
        assert obj["backrooms_generator"] == addon.GENERATOR_VERSION


def test_meshes_are_copied_from_templates_that_go_when_the_build_ends(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh_module = importlib.import_module(f"{addon.__name__}.realize.mesh")
    template_name = mesh_module.TEMPLATE_NAME
    users_mesh = bpy.data.meshes.new(template_name)  # the user's own, by the templates' name
    users_mesh.vertices.add(3)
    prepared = mesh_module._prepared
    templates_made = []

    def counting(mesh, attributes, materials):  # type: ignore[no-untyped-def]
        if mesh.name.startswith(template_name):
            templates_made.append(mesh.name)
        return prepared(mesh, attributes, materials)

    monkeypatch.setattr(mesh_module, "_prepared", counting)
    before = set(bpy.data.meshes)
    level = api.generate(seed=5, width=70, depth=70, scene=scene)  # 4 pieces of each kind
    made = set(bpy.data.meshes) - before
    assert made and all(mesh.users == 1 for mesh in made), "every new mesh is a level object's"
    assert not any(mesh.name.startswith(template_name) for mesh in made)
    # One template per kind (walls, floor, ceiling, the fixtures' points), each copied per piece.
    pieces = [obj for obj in level.objects if obj.get("backrooms_piece") is not None]
    assert len(templates_made) == 4 and len(pieces) == 4 * 4
    fixtures = [obj.data for obj in level.objects if obj.name.startswith("Backrooms fixtures")]
    assert len(fixtures) == 4 and all({"variant", "state"} <= set(mesh.attributes.keys()) for mesh in fixtures)

    # A build stopped half way, or by an error, leaves no template behind either.
    steps = api.generate_steps(seed=6, width=70, depth=70, scene=scene)
    while "walls, piece 2" not in next(steps).text:
        pass
    steps.close()
    level_module = importlib.import_module(f"{addon.__name__}.realize.level")
    upload = level_module.mesh_from_arrays

    def failing(name, part, materials, **options):  # type: ignore[no-untyped-def]
        if "floor" in name:
            raise RuntimeError("stopped")
        return upload(name, part, materials, **options)

    monkeypatch.setattr(level_module, "mesh_from_arrays", failing)
    with pytest.raises(RuntimeError, match="stopped"):
        api.generate(seed=7, width=70, depth=70, scene=scene)
    assert [mesh.name for mesh in bpy.data.meshes if mesh.name.startswith(template_name)] == [template_name]
    assert users_mesh.name == template_name and len(users_mesh.vertices) == 3 and users_mesh.users == 0


def test_large_levels_come_in_pieces(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=2, width=100, depth=70, scene=scene)
    walls = [obj for obj in level.objects if obj.name.startswith("Backrooms walls")]
    assert len(walls) == 2 * 2  # 64-cell pieces: 2 along x, 2 along y
    assert {tuple(obj["backrooms_piece"]) for obj in walls} == {(0, 0), (1, 0), (0, 1), (1, 1)}
    assert all(len(obj.data.polygons) > 100 for obj in walls)


def test_same_vertices_as_the_golden_mesh(scene: bpy.types.Scene, api: ModuleType) -> None:
    """The bytes Blender holds are the same on every Blender version (the core's golden hash).
    The troffers are instances (test_instancing.py checks them against the copies): the copies the
    plan builds on demand stand in for them."""
    level = api.generate(seed=21, width=40, depth=30, scene=scene)
    sha = hashlib.sha256()
    for kind, arrays in level.plan.meshes.items():
        for piece, part in arrays.split():
            if kind in level.plan.meshes.instanced:
                sha.update(part.vertices.tobytes())
                continue
            name = f"Backrooms {kind} {piece % level.plan.pieces.columns},{piece // level.plan.pieces.columns}"
            sha.update(_mesh_arrays(bpy.data.objects[name].data)["position"].tobytes())
    assert sha.hexdigest() == GOLDEN_POSITIONS


def test_walls_from_the_walls_process_are_the_walls_made_in_threads(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = importlib.import_module(f"{addon.__name__}.core.walls_process")
    shared = process.shared()
    assert shared.start(wait=60), "the walls' process runs beside this Blender"
    taken: list[bool] = []
    errors: list[BaseException] = []
    blocks = shared.blocks

    def counting(*args):  # type: ignore[no-untyped-def]
        found = blocks(*args)
        taken.append(found is not None)
        return None if found is None else watched(found)

    def watched(found):  # type: ignore[no-untyped-def]
        try:  # an error would leave the build to make the walls itself: they would be equal too
            yield from found
        except process.WallsProcessError as error:
            errors.append(error)
            raise

    monkeypatch.setattr(shared, "blocks", counting)
    spec = addon.core.LevelSpec(seed=23, width=75, depth=50, origin=(9, -13))  # not chunk-aligned

    def walls() -> dict[str, dict[str, np.ndarray]]:
        level = api.generate(spec, scene=scene)
        return {obj.name: _mesh_arrays(obj.data) for obj in level.objects if obj.name.startswith("Backrooms walls")}

    from_process = walls()
    monkeypatch.setenv(process.ENV, "0")
    made_here = walls()
    assert taken == [True, False] and errors == [], "the process made the first level's walls, threads the second's"
    assert len(from_process) >= 2 and from_process.keys() == made_here.keys()
    for name, arrays in from_process.items():
        for key, values in arrays.items():
            np.testing.assert_array_equal(values, made_here[name][key], err_msg=f"{name}: {key}")


def test_operator_uses_and_updates_scene_settings(scene: bpy.types.Scene, api: ModuleType) -> None:
    settings = scene.backrooms
    settings.width, settings.depth, settings.seed = 9, 7, 123
    assert bpy.ops.backrooms.generate() == {"FINISHED"}
    (collection,) = api.levels(scene)
    assert '"width": 9' in collection["backrooms_spec"] and '"seed": 123' in collection["backrooms_spec"]
    assert bpy.ops.backrooms.generate(seed=5) == {"FINISHED"}
    assert settings.seed == 5 and settings.width == 9


def test_panel_settings_give_the_same_level_as_the_api(scene: bpy.types.Scene, addon: ModuleType) -> None:
    # Blender keeps floats in single precision; the spec must still be the one the user typed.
    scene.backrooms.density = 0.55
    scene.backrooms.wall_height = 2.8
    spec = addon.ui.props.spec_from(scene.backrooms)
    assert spec.density == 0.55 and spec.wall_height == 2.8


def test_regenerate_replaces_only_its_own_objects(scene: bpy.types.Scene, api: ModuleType) -> None:
    first = api.generate(seed=1, width=8, depth=8, scene=scene)
    level_id = first.level_id
    user_cube = bpy.data.objects.new("My cube", bpy.data.meshes.new("My cube mesh"))
    first.collection.objects.link(user_cube)  # a user's object moved into the level's collection
    outside = bpy.data.objects.new("Elsewhere", None)
    scene.collection.objects.link(outside)
    child = bpy.data.objects.new("Prop on the wall", None)
    scene.collection.objects.link(child)
    walls = next(obj for obj in first.objects if obj.name.startswith("Backrooms walls"))
    walls.location = (3.0, 0.0, 0.0)
    child.parent = walls
    child.location = (1.0, 2.0, 0.5)
    bpy.context.view_layer.update()
    world_before = child.matrix_world.copy()
    materials_before = len(bpy.data.materials)

    second = api.generate(seed=2, width=10, depth=6, scene=scene)

    assert second.level_id == level_id and second.collection == first.collection
    assert user_cube.name in second.collection.objects and outside.name in scene.collection.objects
    assert child.parent is None and (child.matrix_world.translation - world_before.translation).length < 1e-6
    assert len(bpy.data.materials) == materials_before, "materials are reused, not duplicated"
    assert len(_owned(level_id)) == len(second.objects)
    assert not [m for m in bpy.data.meshes if m.users == 0 and m.get(LEVEL_KEY)], "no orphaned level meshes"


def test_new_level_keeps_the_previous_one(scene: bpy.types.Scene, api: ModuleType) -> None:
    first = api.generate(seed=1, width=6, depth=6, scene=scene)
    second = api.generate(seed=2, width=6, depth=6, scene=scene, new_level=True)
    assert first.level_id != second.level_id
    assert len(api.levels(scene)) == 2
    assert _owned(first.level_id) and _owned(second.level_id)


def test_clear_removes_the_level_and_nothing_else(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=3, width=6, depth=6, scene=scene)
    keep = api.generate(seed=4, width=6, depth=6, scene=scene, new_level=True)
    mine = bpy.data.objects.new("Mine", None)
    level.collection.objects.link(mine)
    assert bpy.ops.backrooms.clear() == {"FINISHED"}  # the level made last: `keep`
    assert not _owned(keep.level_id) and _owned(level.level_id)
    assert keep.level_id not in {c.get(LEVEL_KEY) for c in bpy.data.collections}
    assert api.clear(scene, all_levels=True) > 0
    assert not _owned(level.level_id)
    assert "Mine" in bpy.data.objects and mine.name in level.collection.objects, (
        "the user's object and its collection stay"
    )


def test_clear_is_disabled_without_a_level(scene: bpy.types.Scene) -> None:
    assert not bpy.ops.backrooms.clear.poll()


def test_bad_input_changes_nothing(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    api.generate(seed=3, width=6, depth=6, scene=scene)
    before = (len(bpy.data.objects), len(bpy.data.meshes), len(bpy.data.collections), len(bpy.data.materials))
    with pytest.raises(addon.core.InvalidSpecError, match=r"^cell_size: must be a number from 1 to 8 m"):
        api.generate(cell_size=0.0, scene=scene)
    assert (len(bpy.data.objects), len(bpy.data.meshes), len(bpy.data.collections), len(bpy.data.materials)) == before


def test_user_camera_is_left_alone(scene: bpy.types.Scene, api: ModuleType) -> None:
    mine = bpy.data.objects.new("My camera", bpy.data.cameras.new("My camera"))
    scene.collection.objects.link(mine)
    scene.camera = mine
    level = api.generate(seed=3, width=6, depth=6, scene=scene)
    assert scene.camera == mine
    assert level.camera is not None and level.camera.type == "CAMERA"


def test_operator_takes_every_layout_setting(scene: bpy.types.Scene, addon: ModuleType) -> None:
    far = 10**9 - 20
    result = bpy.ops.backrooms.generate(
        seed=11, width=12, depth=10, algorithm="kruskal", origin_x=far, origin_y=-far, chunk_size=8, room_max=6
    )
    assert result == {"FINISHED"}
    (collection,) = [c for c in bpy.data.collections if LEVEL_KEY in c]
    spec = addon.core.LevelSpec.from_dict(json.loads(collection["backrooms_spec"]))
    assert spec == addon.core.LevelSpec(
        seed=11, width=12, depth=10, algorithm="kruskal", origin=(far, -far), chunk_size=8, room_max=6
    )
    assert scene.backrooms.algorithm == "kruskal" and scene.backrooms.origin_x == far


def test_materials_are_node_trees_with_packed_textures(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(seed=1, width=8, depth=8, scene=scene)
    wallpaper = next(m for m in bpy.data.materials if m.get("backrooms_recipe") == "wallpaper")
    types = {node.bl_idname for node in wallpaper.node_tree.nodes}
    assert {"ShaderNodeTexImage", "ShaderNodeNormalMap", "ShaderNodeTexNoise", "ShaderNodeBsdfPrincipled"} <= types
    bsdf = next(node for node in wallpaper.node_tree.nodes if node.bl_idname == "ShaderNodeBsdfPrincipled")
    assert bsdf.inputs["Base Color"].is_linked and bsdf.inputs["Normal"].is_linked
    images = [node.image for node in wallpaper.node_tree.nodes if node.bl_idname == "ShaderNodeTexImage"]
    assert all(image is not None and image.packed_file is not None and image.size[0] == 256 for image in images)
    normal = next(image for image in images if "normal" in image.name)
    assert normal.colorspace_settings.name == "Non-Color"
    counts = (len(bpy.data.materials), len(bpy.data.images))
    api.generate(seed=2, width=8, depth=8, scene=scene)
    api.generate(seed=3, width=8, depth=8, scene=scene, new_level=True)
    assert (len(bpy.data.materials), len(bpy.data.images)) == counts, "nothing duplicated by regenerating"


def test_flicker_is_animated_without_drivers(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=5, width=40, depth=40, flicker_fraction=0.3, scene=scene)
    flicker = next(m for m in bpy.data.materials if m.get("backrooms_recipe") == "fixture_flicker_0")
    steady = next(m for m in bpy.data.materials if m.get("backrooms_recipe") == "fixture_diffuser")

    def strength(material: bpy.types.Material) -> float:
        return float(material.node_tree.nodes["strength"].inputs[1].default_value)

    lamps = [obj for obj in level.objects if obj.type == "LIGHT"]
    flickering_lamp = next(obj for obj in lamps if "flicker" in obj.data.name)
    steady_lamp = next(obj for obj in lamps if "flicker" not in obj.data.name)
    seen = []
    for frame in range(1, 60):
        scene.frame_set(frame)
        seen.append((strength(flicker), strength(steady), flickering_lamp.data.energy, steady_lamp.data.energy))
    values = np.array(seen)
    assert np.ptp(values[:, 0]) > 1.0 and np.ptp(values[:, 2]) > 5.0, "flickering ones change"
    assert np.ptp(values[:, 1]) == 0 and np.ptp(values[:, 3]) == 0, "steady ones do not"
    for block in (*bpy.data.materials, *bpy.data.lights):
        assert block.animation_data is None or not block.animation_data.drivers
    if block_tree := flicker.node_tree.animation_data:
        assert not block_tree.drivers


def test_hum_speakers_are_tagged_and_leave_the_selection_alone(scene: bpy.types.Scene, api: ModuleType) -> None:
    mine = bpy.data.objects.new("Mine", None)
    scene.collection.objects.link(mine)
    mine.select_set(True)
    bpy.context.view_layer.objects.active = mine
    level = api.generate(seed=1, width=16, depth=16, scene=scene)
    speakers = [obj for obj in level.objects if obj.type == "SPEAKER"]
    assert 1 <= len(speakers) <= 4
    assert all(s.data.sound is not None and s.data.sound.packed_file is not None for s in speakers)
    assert all(s.animation_data and s.animation_data.nla_tracks for s in speakers), "each has its sound strip"
    assert bpy.context.view_layer.objects.active == mine and mine.select_get()
    assert not any(s.select_get() for s in speakers)
    api.clear(scene)
    assert not bpy.data.speakers, "speaker data goes with its level"
    quiet = api.generate(seed=1, width=16, depth=16, hum=False, scene=scene)
    assert not [obj for obj in quiet.objects if obj.type == "SPEAKER"]


def test_render_presets_set_up_cycles(scene: bpy.types.Scene, addon: ModuleType) -> None:
    assert bpy.ops.backrooms.render_preset(preset="final") == {"FINISHED"}
    assert scene.render.engine == "CYCLES" and scene.cycles.samples == 256 and scene.cycles.use_light_tree
    assert (scene.render.resolution_x, scene.render.resolution_y) == (1920, 1080)
    assert bpy.ops.backrooms.render_preset(preset="preview") == {"FINISHED"}
    assert scene.cycles.samples == 16 and scene.cycles.use_denoising
    assert scene.view_settings.view_transform == "AgX"


def test_troffers_come_from_the_template_file(scene: bpy.types.Scene, addon: ModuleType) -> None:
    troffers = importlib.import_module(f"{addon.__name__}.realize.troffers")
    before = (len(bpy.data.meshes), len(bpy.data.materials), len(bpy.data.images), len(bpy.data.objects))
    model = troffers.load_troffer("Troffer 60x120")
    assert (len(bpy.data.meshes), len(bpy.data.materials), len(bpy.data.images), len(bpy.data.objects)) == before
    core = addon.core.troffer.troffer_template(0.6, 1.2)
    np.testing.assert_allclose(model.vertices, core.vertices, atol=1e-6)
    np.testing.assert_array_equal(model.material_indices, core.material_indices)
    with bpy.data.libraries.load(str(troffers.TEMPLATE_FILE), assets_only=True) as (source, _):
        assert set(source.objects) == set(addon.core.troffer.TEMPLATES), "marked as assets"


def test_regenerate_after_reopening_the_file_reproduces_the_level(
    scene: bpy.types.Scene, api: ModuleType, tmp_path
) -> None:
    level = api.generate(seed=9, width=20, depth=14, density=0.4, algorithm="prim", scene=scene)
    # Every mesh made, the troffer variants (in a collection no scene holds) and the points they are instanced on too.
    before = {obj.name: _positions(obj.data) for obj in level.objects if obj.type == "MESH"}
    path = tmp_path / "saved.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    assert bpy.ops.backrooms.regenerate() == {"FINISHED"}
    (collection,) = api.levels(bpy.context.scene)
    after = {obj.name: _positions(obj.data) for obj in _owned(collection[LEVEL_KEY]) if obj.type == "MESH"}
    assert after.keys() == before.keys()
    for name, positions in before.items():
        np.testing.assert_array_equal(after[name], positions)


def test_a_level_from_an_older_generator_says_so(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    level = api.generate(seed=9, width=8, depth=8, scene=scene)
    level.collection["backrooms_generator"] = addon.GENERATOR_VERSION - 1
    rebuilt, made_by = api.regenerate(scene)
    assert made_by == addon.GENERATOR_VERSION - 1 and rebuilt.collection == level.collection
    assert rebuilt.collection["backrooms_generator"] == addon.GENERATOR_VERSION


@pytest.mark.parametrize("side", ["EAST", "WEST", "NORTH", "SOUTH"])
def test_extend_adds_chunks_seamlessly_and_keeps_the_old_part_in_place(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, side: str
) -> None:
    spec = addon.core.LevelSpec(seed=4, width=20, depth=12, origin=(100, -50), chunk_size=8, room_max=6)
    old = api.generate(spec, scene=scene).plan.layout.cells()
    assert bpy.ops.backrooms.extend(side=side, chunks=2) == {"FINISHED"}
    (collection,) = api.levels(scene)
    grown = addon.core.LevelSpec.from_dict(json.loads(collection["backrooms_spec"]))
    cells = addon.core.layout.build_layout(grown).cells()
    k = 16
    # The grown level is exactly the larger region of the world ...
    assert (grown.width, grown.depth) == ((36, 12) if side in ("EAST", "WEST") else (20, 28))
    # ... and the old cells are still there, where they were.
    inner = {"EAST": cells[:, :20], "WEST": cells[:, k:], "NORTH": cells[:12], "SOUTH": cells[k:]}[side]
    np.testing.assert_array_equal(inner, old)
    walls = next(obj for obj in collection.objects if obj.name.startswith("Backrooms walls"))
    expected = {"WEST": (-k * spec.cell_size, 0.0), "SOUTH": (0.0, -k * spec.cell_size)}.get(side, (0.0, 0.0))
    assert tuple(walls.location[:2]) == pytest.approx(expected)


def test_extend_refuses_bad_sides(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    api.generate(seed=4, width=8, depth=8, scene=scene)
    with pytest.raises(addon.core.InvalidSpecError, match=r"^side: must be one of EAST, WEST, NORTH, SOUTH"):
        api.extend("UP", scene=scene)


def test_a_new_generate_after_extending_starts_from_the_origin_again(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(seed=4, width=8, depth=8, scene=scene)
    api.extend("WEST", scene=scene)
    walls = next(o for o in api.levels(scene)[0].objects if o.name.startswith("Backrooms walls"))
    assert walls.location.x < 0
    api.regenerate(scene)
    walls = next(o for o in api.levels(scene)[0].objects if o.name.startswith("Backrooms walls"))
    assert walls.location.x < 0, "regenerating keeps the extended frame"
    level = api.generate(seed=5, width=8, depth=8, scene=scene)
    walls = next(o for o in level.objects if o.name.startswith("Backrooms walls"))
    assert tuple(walls.location) == (0.0, 0.0, 0.0)


def test_materials_follow_the_look_settings(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(seed=1, width=8, depth=8, scene=scene)
    api.generate(seed=1, width=8, depth=8, scene=scene, new_level=True)
    wallpapers = [m for m in bpy.data.materials if m.get("backrooms_recipe") == "wallpaper"]
    assert len(wallpapers) == 1, "the same look shares its materials"
    api.generate(seed=1, width=8, depth=8, wallpaper_tint="#D8C36A", wear=1.0, dampness=0.0, scene=scene)
    wallpapers = [m for m in bpy.data.materials if m.get("backrooms_recipe") == "wallpaper"]
    assert len(wallpapers) == 2
    worn = next(m for m in wallpapers if m["backrooms_look"].startswith("#D8C36A"))
    nodes = worn.node_tree.nodes
    assert nodes["stain_shape"].inputs["From Min"].default_value < 0.5, "more wear, more stains"
    tint = next(socket for socket in nodes["tint"].inputs if socket.identifier == "B_Color").default_value
    assert tint[0] > 1.0 and tint[2] > 1.0, "a lighter tint brightens the texture"
    carpet = next(m for m in bpy.data.materials if m.get("backrooms_look", "").endswith("/0.000"))
    assert carpet.node_tree.nodes["damp"].inputs["From Min"].default_value > 0.7, "dry carpet"


def test_panel_tint_round_trips_to_the_spec(scene: bpy.types.Scene, addon: ModuleType) -> None:
    scene.backrooms.wallpaper_tint = (1.0, 0.5, 0.0)
    assert addon.ui.props.spec_from(scene.backrooms).wallpaper_tint == "#FF8000"


def _copies_of(level: object) -> tuple[bpy.types.Object, bpy.types.Object]:
    """A wall copied with Object.copy() into the level's collection, and a lamp duplicated with Shift D."""
    walls = next(obj for obj in level.objects if obj.name.startswith("Backrooms walls"))
    copied = walls.copy()
    level.collection.objects.link(copied)
    lamp = next(obj for obj in level.objects if obj.type == "LIGHT")
    view_layer = bpy.context.view_layer
    for obj in view_layer.objects:
        obj.select_set(obj == lamp)
    view_layer.objects.active = lamp
    assert bpy.ops.object.duplicate() == {"FINISHED"}
    duplicate = view_layer.objects.active
    assert duplicate not in (lamp, copied) and level.collection in duplicate.users_collection
    for copy in (copied, duplicate):
        assert copy[LEVEL_KEY] == level.level_id, "a copy carries the level's tags"
    return copied, duplicate


def _kept(names: set[str], level_id: str) -> None:
    for name in names:
        assert name in bpy.data.objects, f"{name} was removed"
        assert LEVEL_KEY not in bpy.data.objects[name], f"{name} is the user's now"
    assert all(name not in {obj.name for obj in _owned(level_id)} for name in names)


def test_copies_of_generated_objects_stay_through_generate_extend_and_clear(
    scene: bpy.types.Scene, api: ModuleType
) -> None:
    level = api.generate(seed=3, width=8, depth=8, chunk_size=8, room_max=8, scene=scene)
    copies = {copy.name for copy in _copies_of(level)}
    regenerated = api.generate(seed=4, width=8, depth=8, chunk_size=8, room_max=8, scene=scene)
    _kept(copies, level.level_id)
    assert len(_owned(level.level_id)) == len(regenerated.objects)
    copies |= {copy.name for copy in _copies_of(regenerated)}
    api.extend("EAST")
    _kept(copies, level.level_id)
    copies |= {copy.name for copy in _copies_of(api.regenerate(scene)[0])}
    assert bpy.ops.backrooms.clear() == {"FINISHED"}
    _kept(copies, level.level_id)
    assert not _owned(level.level_id)
    mesh = bpy.data.objects[sorted(copies)[0]].data
    assert mesh is not None and mesh.users > 0, "a copy keeps its data"


def test_copies_stay_after_saving_and_reopening(scene: bpy.types.Scene, api: ModuleType, tmp_path) -> None:
    level = api.generate(seed=5, width=8, depth=8, scene=scene)
    copies = {copy.name for copy in _copies_of(level)}
    made = sorted(obj.name for obj in level.objects)
    level.objects[0].name = "A generated piece, renamed"
    path = tmp_path / "copies.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    assert bpy.ops.backrooms.regenerate() == {"FINISHED"}
    _kept(copies, level.level_id)
    assert "A generated piece, renamed" not in bpy.data.objects, "the renamed original is replaced"
    assert sorted(obj.name for obj in _owned(level.level_id)) == made
    copies |= {copy.name for copy in _copies_of(api.regenerate(bpy.context.scene)[0])}
    bpy.ops.wm.save_mainfile()
    bpy.ops.wm.open_mainfile(filepath=str(path))
    assert bpy.ops.backrooms.clear() == {"FINISHED"}
    _kept(copies, level.level_id)
    assert not _owned(level.level_id)


def test_a_big_level_lets_its_blocks_go_and_its_plan_still_reads_them(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    level_module = importlib.import_module(f"{addon.__name__}.realize.level")
    monkeypatch.setattr(level_module, "KEEP_BUILT_FACES", 0)  # every level counts as big
    spec = addon.core.LevelSpec(seed=4, width=40, depth=30, piece_chunks=1, chunk_size=16)
    level = api.generate(spec, scene=scene)
    assert not level.plan.meshes._blocks, "the blocks went once Blender had them"
    fresh = addon.core.plan_level(spec)
    walls = level.plan.meshes["walls"]  # planned anew
    np.testing.assert_array_equal(walls.vertices, fresh.meshes["walls"].vertices)
    np.testing.assert_array_equal(walls.lightmap, fresh.meshes["walls"].lightmap)
    uploaded = [obj for obj in level.objects if obj.name.startswith("Backrooms walls")]
    faces = sum(len(obj.data.polygons) for obj in uploaded)
    assert faces == walls.face_count


def test_keep_meshes_keeps_a_big_level_s_blocks_for_an_export(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    level_module = importlib.import_module(f"{addon.__name__}.realize.level")
    monkeypatch.setattr(level_module, "KEEP_BUILT_FACES", 0)
    level = api.generate(seed=4, width=40, depth=30, scene=scene, keep_meshes=True)
    assert set(level.plan.meshes._blocks) == set(level.plan.meshes.kinds_built())
    small = api.generate(seed=4, width=10, depth=8, scene=scene, keep_meshes=False)
    assert not small.plan.meshes._blocks
