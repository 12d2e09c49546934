"""Level presets in the UI and API, settings <-> spec, and step-by-step building with its status."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import bpy
import numpy as np
import pytest

LEVEL_KEY = "backrooms_level"
SMALL = {"width": 24, "depth": 20}


def _positions(objects: list[bpy.types.Object]) -> dict[str, np.ndarray]:
    arrays = {}
    for obj in objects:
        if obj.type == "MESH":
            values = np.empty(len(obj.data.vertices) * 3, np.float32)
            obj.data.vertices.foreach_get("co", values)
            arrays[obj.name] = values
    return arrays


def _owned_objects() -> list[bpy.types.Object]:
    return [obj for obj in bpy.data.objects if LEVEL_KEY in obj]


def test_choosing_a_level_preset_sets_its_look_and_keeps_seed_and_size(
    scene: bpy.types.Scene, addon: ModuleType
) -> None:
    settings_ = scene.backrooms
    settings_.seed, settings_.width, settings_.depth, settings_.density = 77, 40, 30, 0.5
    assert bpy.ops.backrooms.level_preset(preset="LEVEL_0_BLACKOUT") == {"FINISHED"}
    assert settings_.preset == "LEVEL_0_BLACKOUT"
    expected = addon.core.levels.preset_spec("LEVEL_0_BLACKOUT", seed=77, width=40, depth=30)
    assert addon.ui.props.spec_from(settings_) == expected
    assert bpy.ops.backrooms.level_preset(preset="LEVEL_0") == {"FINISHED"}
    assert addon.ui.props.spec_from(settings_) == addon.core.LevelSpec(seed=77, width=40, depth=30)


def test_operator_preset_argument_builds_the_preset_and_updates_the_settings(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    scene.backrooms.seed = 12
    assert bpy.ops.backrooms.generate(preset="LEVEL_0_MAZE", density=0.8, **SMALL) == {"FINISHED"}
    (collection,) = api.levels(scene)
    spec = addon.core.LevelSpec.from_dict(json.loads(collection["backrooms_spec"]))
    assert spec == addon.core.levels.preset_spec("LEVEL_0_MAZE", seed=12, density=0.8, **SMALL)
    assert scene.backrooms.preset == "LEVEL_0_MAZE" and scene.backrooms.room_max == spec.room_max
    assert addon.ui.props.spec_from(scene.backrooms) == spec, "the settings now show what was built"


def test_api_generate_takes_a_preset_name(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    level = api.generate(preset="LEVEL_0_HALLS", seed=3, scene=scene, **SMALL)
    assert level.plan.spec == addon.core.levels.preset_spec("LEVEL_0_HALLS", seed=3, **SMALL)
    with pytest.raises(addon.core.InvalidSpecError, match=r"^preset: "):
        api.generate(preset="LEVEL_1000", scene=scene)
    with pytest.raises(addon.core.InvalidSpecError, match=r"^preset: "):
        api.generate(addon.core.LevelSpec(), preset="LEVEL_0", scene=scene)
    assert api.levels(scene) == [level.collection], "refused before anything changed"


@pytest.mark.parametrize("in_background", [False, True])
def test_levels_are_built_one_piece_per_step(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, in_background: bool
) -> None:
    spec = addon.core.LevelSpec(seed=5, width=70, depth=40, chunk_size=16, piece_chunks=1)
    reference = _positions(api.generate(spec, scene=scene).objects)
    api.clear(scene)
    steps = api.generate_steps(spec, scene=scene, plan_in_background=in_background)
    seen, objects = [], []
    while True:
        try:
            progress = next(steps)
        except StopIteration as finished:
            level = finished.value
            break
        seen.append(progress)
        objects.append(len(_owned_objects()))
    building = [p for p in seen if p.total]
    pieces = building[:-1]
    assert [p.done for p in building] == list(range(1, len(building) + 1)), "one step at a time, in order"
    assert all(p.total == len(building) for p in building)
    piece_objects = objects[len(seen) - len(building) :][: len(pieces)]
    assert piece_objects == list(range(1, len(pieces) + 1)), "each step adds exactly one object"
    assert len(pieces) > 3 * 5, "walls, floors, ceilings and fixtures of several pieces"
    if not in_background:
        assert len(seen) == len(building), "planning in the caller's thread reports nothing until it is done"
    assert _same(_positions(level.objects), reference), "the same level as generate() builds in one call"


def _same(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> bool:
    return got.keys() == expected.keys() and all(np.array_equal(got[k], expected[k]) for k in got)


def test_a_build_stopped_half_way_leaves_only_the_users_objects(scene: bpy.types.Scene, api: ModuleType) -> None:
    mine = bpy.data.objects.new("Mine", bpy.data.meshes.new("Mine"))
    scene.collection.objects.link(mine)
    steps = api.generate_steps(seed=1, width=64, depth=64, piece_chunks=1, scene=scene)
    for _ in range(5):
        next(steps)
    assert len(_owned_objects()) == 5
    steps.close()
    api.clear(scene)
    assert _owned_objects() == [] and not api.levels(scene)
    assert "Mine" in bpy.data.objects and mine.name in scene.collection.objects
    # Stopped among the troffer variants: their node group and collection, made before any
    # piece used them, go too.
    assert not [group.name for group in bpy.data.node_groups if group.bl_idname == "GeometryNodeTree"]
    assert not [held.name for held in bpy.data.collections]


def test_a_build_stopped_before_its_hum_leaves_no_speaker_behind(scene: bpy.types.Scene, api: ModuleType) -> None:
    speakers = set(bpy.data.speakers)
    steps = api.generate_steps(seed=1, width=64, depth=64, piece_chunks=1, scene=scene)
    next(steps)
    assert set(bpy.data.speakers) - speakers, "the hum's speaker is made before the pieces"
    steps.close()
    assert set(bpy.data.speakers) == speakers and not [o for o in bpy.data.objects if o.type == "SPEAKER"]


def test_a_script_can_select_what_generate_just_made(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=3, width=8, depth=8, scene=scene, hum=False)
    lamp = next(obj for obj in level.objects if obj.type == "LIGHT")
    view_layer = bpy.context.view_layer
    for obj in view_layer.objects:
        obj.select_set(obj == lamp)
    assert list(bpy.context.selected_objects) == [lamp]


def test_build_status_shows_each_step(scene: bpy.types.Scene, addon: ModuleType, api: ModuleType) -> None:
    operators = importlib.import_module(f"{addon.__name__}.ui.operators")
    level_module = importlib.import_module(f"{addon.__name__}.realize.level")
    status = operators.BuildStatus(bpy.context)
    lines = []

    def show(progress: object) -> None:
        status.show(progress)
        lines.append(status.text)

    level = level_module.run_steps(api.generate_steps(seed=2, scene=scene, piece_chunks=1, **SMALL), show)
    # The instanced troffers come first (they need no finishing), then the walls piece by piece.
    assert lines[0].startswith("Backrooms: fixtures, troffer ") and "%" in lines[0]
    assert any(line.startswith("Backrooms: walls, piece 1 of ") for line in lines)
    assert lines[-1] == "Backrooms: lamps and camera (100%), Esc to stop"
    assert len(lines) == len({line for line in lines}), "every step says something new"
    status.end()
    assert status.text == "" and level.objects


def test_invoke_without_a_window_builds_at_once(scene: bpy.types.Scene, api: ModuleType) -> None:
    assert bpy.ops.backrooms.generate("INVOKE_DEFAULT", seed=4, **SMALL) == {"FINISHED"}
    (collection,) = api.levels(scene)
    assert '"seed": 4' in collection["backrooms_spec"]


def test_a_generated_material_the_user_took_survives_clear_and_regenerate(
    scene: bpy.types.Scene, api: ModuleType
) -> None:
    level = api.generate(seed=6, scene=scene, **SMALL)
    wallpaper = next(m for m in bpy.data.materials if m.get("backrooms_recipe") == "wallpaper")
    mine = bpy.data.objects.new("My wall", bpy.data.meshes.new("My wall"))
    mine.data.materials.append(wallpaper)
    scene.collection.objects.link(mine)
    nodes_before = sorted(node.name for node in wallpaper.node_tree.nodes)
    api.regenerate(scene)
    api.clear(scene, all_levels=True)
    assert mine.data.materials[0] == wallpaper and wallpaper.name in bpy.data.materials
    assert sorted(node.name for node in wallpaper.node_tree.nodes) == nodes_before
    assert level.level_id not in {obj.get(LEVEL_KEY) for obj in bpy.data.objects}


def _timed_build(addon: ModuleType, api: ModuleType, scene: bpy.types.Scene, **fields: object) -> object:
    operators = importlib.import_module(f"{addon.__name__}.ui.operators")
    steps = api.generate_steps(scene=scene, plan_in_background=True, **fields)
    return operators.TimedBuild(bpy.context, steps)


def test_timed_build_grows_the_level_tick_by_tick(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = {"seed": 8, "width": 96, "depth": 96, "piece_chunks": 1}
    reference = _positions(api.generate(scene=scene, **fields).objects)
    api.clear(scene)
    # No time budget: every tick makes exactly one step, whatever the machine's speed.
    monkeypatch.setattr(importlib.import_module(f"{addon.__name__}.ui.operators"), "STEP_BUDGET_S", 0.0)
    build = _timed_build(addon, api, scene, **fields)
    counts, level = [], None
    while level is None:
        level = build.tick()
        counts.append(len(_owned_objects()))
        assert build.status.text.startswith("Backrooms: ") or level is not None
    growing = [count for count in counts if 0 < count < counts[-1]]  # the last step adds lamps and camera
    assert growing == list(range(1, len(growing) + 1)), "one more piece each tick"
    models = len(level.plan.meshes.copies.instanced().kinds)  # the troffers, one per state and run length
    assert len(growing) == 4 * 36 + models, "walls, floors, ceilings and fixtures of 6 x 6 pieces"
    assert build.status.text == "", "the status line is cleared at the end"
    assert _same(_positions(level.objects), reference)


def test_stopping_a_timed_build_keeps_the_previous_level_until_it_is_replaced(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.import_module(f"{addon.__name__}.ui.operators"), "STEP_BUDGET_S", 0.0)
    old = api.generate(seed=1, scene=scene, **SMALL)
    mine = bpy.data.objects.new("Mine", None)
    old.collection.objects.link(mine)
    big = {"seed": 2, "width": 160, "depth": 160, "piece_chunks": 1}
    build = _timed_build(addon, api, scene, **big)
    assert build.tick() is None and not build.building, "the first tick starts planning"
    assert build.stop(scene) is False, "stopped while planning: nothing changed"
    assert _owned_objects() and all(obj.get(LEVEL_KEY) == old.level_id for obj in _owned_objects())

    build = _timed_build(addon, api, scene, **big)
    while not build.building:
        assert build.tick() is None
    assert build.stop(scene) is True
    assert _owned_objects() == [], "the half-built level is gone, and the one it replaced"
    assert "Mine" in bpy.data.objects and mine.name in old.collection.objects, "the user's object stays"
