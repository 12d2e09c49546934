"""The levels of a scene and the spec stored on each: one reading of them for the API, outputs and exports."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import bpy

SPEC_KEY = "backrooms_spec"


def test_levels_are_found_at_any_depth_and_only_in_their_scene(scene: bpy.types.Scene, api: ModuleType) -> None:
    level = api.generate(seed=3, width=6, depth=6, scene=scene)
    group = bpy.data.collections.new("Mine")
    scene.collection.children.link(group)
    scene.collection.children.unlink(level.collection)
    group.children.link(level.collection)
    assert api.levels(scene) == [level.collection]
    other = bpy.data.scenes.new("Other")
    assert api.levels(other) == []


def test_a_spec_stored_under_the_old_field_name_is_read(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    level = api.generate(preset="LEVEL_188", seed=3, width=6, depth=6, scene=scene)
    stored = json.loads(level.collection[SPEC_KEY])
    stored["level"] = stored.pop("style")  # as files saved before the field was renamed hold it
    level.collection[SPEC_KEY] = json.dumps(stored)
    ownership = importlib.import_module(f"{addon.__name__}.realize.ownership")
    assert ownership.stored_spec(level.collection) == level.plan.spec
    scene.world = None
    bpy.ops.backrooms.render_preset(preset="preview")
    assert scene.world["backrooms_world"] == "LEVEL_188", "the render preset lights the stored style"
    rebuilt, _ = api.regenerate(scene)
    assert rebuilt.plan.spec == level.plan.spec
