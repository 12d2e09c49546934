"""The Camera sub-panel and its Walk button walk the camera as api.walk does, from the same settings."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import bpy
import pytest

WALK_KEY = "backrooms_walk"
SPEC_KEY = "backrooms_spec"
LEVEL = {"seed": 3, "width": 8, "depth": 8}  # small, so each walk is quick
WALK = {"length": 20.0, "shake": 0.0}


def _walked(scene: bpy.types.Scene) -> dict[str, object]:
    """What a walk left in the scene: its chunks, frames, spec and the camera's matrix at a few frames."""
    (collection,) = [c for c in scene.collection.children_recursive if WALK_KEY in c]
    first, last = scene.frame_start, scene.frame_end
    matrices = []
    for frame in sorted({first, (first + last) // 2, last}):
        scene.frame_set(frame)
        matrices.append([round(value, 5) for row in scene.camera.matrix_world for value in row])
    return {
        "chunks": json.loads(collection[WALK_KEY])["chunks"],
        "frames": (first, last, scene.render.fps),
        "spec": json.loads(collection[SPEC_KEY]),
        "camera": matrices,
    }


def _state(scene: bpy.types.Scene) -> dict[str, object]:
    """All a Walk could change: the objects, the levels, the frames, the camera and the settings."""
    walk_settings = scene.backrooms_walk
    return {
        "objects": sorted(obj.name for obj in bpy.data.objects),
        "collections": sorted(c.name for c in bpy.data.collections),
        "frames": (scene.frame_start, scene.frame_end, scene.render.fps),
        "camera": scene.camera.name if scene.camera else None,
        "walk": {p.identifier: getattr(walk_settings, p.identifier) for p in walk_settings.bl_rna.properties},
        "level": dict(scene.backrooms.items()),
    }


def test_walk_from_the_panel_is_the_api_s_walk(scene: bpy.types.Scene, api: ModuleType) -> None:
    # The panel's way: the level settings, the Camera sub-panel's settings, then Walk.
    for name, value in LEVEL.items():
        setattr(scene.backrooms, name, value)
    for name, value in WALK.items():
        setattr(scene.backrooms_walk, name, value)
    assert bpy.ops.backrooms.walk() == {"FINISHED"}
    panel = _walked(scene)
    # The API's way, in a fresh scene.
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    walk = api.walk(scene=bpy.context.scene, **LEVEL, **WALK)
    assert panel == _walked(bpy.context.scene)
    assert panel["chunks"] == [list(chunk) for chunk in walk.chunks] and len(walk.chunks) > 1
    assert panel["frames"][:2] == walk.frames


def test_walk_walks_the_level_made_last(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(preset="LEVEL_1", scene=scene, **LEVEL)
    scene.backrooms.seed = 99  # the panel's level settings are not what is walked
    assert bpy.ops.backrooms.walk(length=10.0, shake=0.0) == {"FINISHED"}
    (collection,) = api.levels(scene)
    assert collection == level.collection, "the level made last becomes the walk"
    spec = json.loads(collection[SPEC_KEY])
    assert (spec["style"], spec["seed"]) == ("LEVEL_1", 3)
    assert json.loads(collection[WALK_KEY])["length"] == 10.0
    assert scene.backrooms_walk.length == 10.0, "the arguments are written back to the settings"
    # Walking again walks the same level (now the walk), from the settings.
    scene.backrooms_walk.shake = 0.0
    first = _walked(scene)
    assert bpy.ops.backrooms.walk() == {"FINISHED"}
    assert _walked(scene) == first


def test_walk_from_the_ui_ticks_through_the_generate_operator_s_machinery(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    operators = importlib.import_module(f"{addon.__name__}.ui.operators")
    monkeypatch.setattr(operators, "STEP_BUDGET_S", 0.0)  # one step a tick
    build = operators.TimedBuild(bpy.context, api.walk_steps(scene=scene, **LEVEL, **WALK))
    ticks, walk = 0, None
    while walk is None:
        walk = build.tick()
        ticks += 1
    assert ticks == len(walk.chunks) + 2, "a chunk a tick, the camera, then the walk returned"
    assert build.status.text == "" and scene.camera == walk.camera
    # Without a window (background mode), invoking Walk walks at once.
    assert bpy.ops.backrooms.walk("INVOKE_DEFAULT", length=10.0) == {"FINISHED"}
    assert json.loads(api.levels(scene)[0][WALK_KEY])["length"] == 10.0


def test_the_panel_s_walk_takes_the_level_s_own_values_and_any_value_given(
    scene: bpy.types.Scene, addon: ModuleType
) -> None:
    """Choosing Level ! fills in its run; a value typed over it, even the walk's own default, is
    the one walked; choosing a level without a run of its own puts the defaults back."""
    run, defaults = addon.core.styles.STYLES["LEVEL_RUN"].walk, addon.core.stream.WALK_DEFAULTS
    settings = scene.backrooms_walk
    settings.length = 6.0
    assert bpy.ops.backrooms.level_preset(preset="LEVEL_RUN") == {"FINISHED"}
    assert {name: getattr(settings, name) for name in run} == pytest.approx(run)
    for name, value in LEVEL.items():
        setattr(scene.backrooms, name, value)
    assert bpy.ops.backrooms.walk() == {"FINISHED"}
    assert json.loads(api_level(scene)[WALK_KEY])["speed"] == pytest.approx(run["speed"])
    settings.speed = defaults["speed"]
    assert bpy.ops.backrooms.walk() == {"FINISHED"}
    walked = json.loads(api_level(scene)[WALK_KEY])
    assert walked["speed"] == pytest.approx(defaults["speed"]) and walked["shake"] == pytest.approx(run["shake"])
    assert bpy.ops.backrooms.level_preset(preset="LEVEL_0") == {"FINISHED"}
    assert {name: getattr(settings, name) for name in run} == pytest.approx({name: defaults[name] for name in run})
    assert settings.length == 6.0, "what no level has a value of its own for stays as set"


def api_level(scene: bpy.types.Scene) -> bpy.types.Collection:
    """The one level in the scene (a walk's)."""
    (collection,) = [c for c in scene.collection.children_recursive if WALK_KEY in c]
    return collection


def _out_of_range() -> list[tuple[str, object]]:
    from backrooms_addon.core.stream import WALK_SETTINGS

    # A whole unit out: Blender's floats are single precision, and the operator reads six digits.
    return [
        (setting.name, value)
        for setting in WALK_SETTINGS
        if setting.limits is not None
        for value in (setting.limits.low - 1, setting.limits.high + 1)
    ]


@pytest.mark.parametrize(("name", "value"), _out_of_range(), ids=lambda v: str(v))
def test_a_bad_walk_setting_is_named_and_changes_nothing(
    scene: bpy.types.Scene, api: ModuleType, name: str, value: object
) -> None:
    api.generate(seed=1, width=4, depth=4, scene=scene)
    before = _state(scene)
    with pytest.raises(RuntimeError, match=rf"^Error: {name}: must be "):
        bpy.ops.backrooms.walk(**{name: value})
    assert _state(scene) == before


def test_bad_level_settings_are_named_and_change_nothing(scene: bpy.types.Scene) -> None:
    scene.backrooms.seed_text = "five"  # no level in the scene: Walk makes one from the settings
    before = _state(scene)
    with pytest.raises(RuntimeError, match=r"^Error: seed: must be "):
        bpy.ops.backrooms.walk(length=10.0)
    assert _state(scene) == before


def test_the_walk_settings_keep_the_core_s_limits_and_defaults(scene: bpy.types.Scene, addon: ModuleType) -> None:
    settings = scene.backrooms_walk.bl_rna.properties
    operator = bpy.ops.backrooms.walk.get_rna_type().properties
    for setting in addon.core.stream.WALK_SETTINGS:
        assert abs(getattr(scene.backrooms_walk, setting.name) - setting.default) < 1e-6
        if setting.limits is not None:
            low, high = setting.limits.low, setting.limits.high
            assert (settings[setting.name].hard_min, settings[setting.name].hard_max) == pytest.approx((low, high))
            # The operator takes anything, so the core names what is out of range.
            assert operator[setting.name].hard_min < low and operator[setting.name].hard_max > high
    assert settings["length"].unit == "LENGTH" and settings["speed"].unit == "VELOCITY"


def test_walk_is_undoable(scene: bpy.types.Scene) -> None:
    # Undo needs a window, which the bpy module has not: the operator asks Blender for an undo step.
    assert {"REGISTER", "UNDO"} <= set(bpy.types.BACKROOMS_OT_walk.bl_options)


class _Layout:
    """Stands in for a UILayout (which only exists while Blender draws a window) and records calls."""

    def __init__(self, calls: list[tuple[str, str]]) -> None:
        self.calls = calls
        self.use_property_split = self.use_property_decorate = False
        self.scale_y = 1.0

    def column(self, **_: object) -> _Layout:
        return self

    row = column

    def prop(self, data: object, name: str, **_: object) -> None:
        assert hasattr(data, name), name
        self.calls.append(("prop", name))

    def operator(self, idname: str, **_: object) -> None:
        self.calls.append(("operator", idname))


def test_the_camera_sub_panel_draws_the_walk_settings_and_walk(scene: bpy.types.Scene, addon: ModuleType) -> None:
    panel = bpy.types.BACKROOMS_PT_camera
    assert panel.bl_parent_id == "BACKROOMS_PT_level" and panel.bl_category == "Backrooms"
    assert (panel.bl_space_type, panel.bl_region_type) == ("VIEW_3D", "UI")
    calls: list[tuple[str, str]] = []
    panel.draw(type("Panel", (), {"layout": _Layout(calls), "panel": panel.panel})(), bpy.context)
    names = [setting.name for setting in addon.core.stream.WALK_SETTINGS]
    assert calls == [*(("prop", name) for name in names), ("operator", "backrooms.walk")]
