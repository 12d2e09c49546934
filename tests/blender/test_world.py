"""The world a level's style wants is set by generating it, and the user's own world comes back on Clear."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from PIL import Image

WORLD_KEY = "backrooms_world"


def _render(scene: bpy.types.Scene, path: Path) -> float:
    """Mean luminance (0 to 1) of a tiny, noisy Cycles frame from the scene camera."""
    scene.render.resolution_x, scene.render.resolution_y = 64, 36
    scene.render.resolution_percentage = 100
    scene.cycles.device = "CPU"
    scene.cycles.samples = 2
    scene.cycles.use_denoising = False
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
    rgb = np.asarray(Image.open(path).convert("RGB"), np.float64) / 255
    return float((rgb @ [0.2126, 0.7152, 0.0722]).mean())


def _sky(world: bpy.types.World) -> float:
    """How bright the world's background is: its colour's mean times its strength."""
    background = next(n for n in world.node_tree.nodes if n.bl_idname == "ShaderNodeBackground")
    colour = background.inputs["Color"].default_value
    return float(np.mean(colour[:3]) * background.inputs["Strength"].default_value)


@pytest.mark.slow
def test_level_188_is_daylit_in_a_plain_render(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    scene.render.engine = "CYCLES"  # the user's choice, before the level: the add-on keeps it
    api.generate(preset="LEVEL_188", seed=1, width=16, depth=16, scene=scene)
    assert scene.render.engine == "CYCLES"
    assert scene.world is not None and scene.world.get(WORLD_KEY) == "LEVEL_188"
    daylit = _render(scene, tmp_path / "court.png")
    # The same frame under Level 0's world: the void a level lit from inside has around it.
    world = importlib.import_module(f"{addon.__name__}.realize.world")
    world.light_scene(scene, addon.core.styles.STYLES["LEVEL_0"])
    void = _render(scene, tmp_path / "void.png")
    assert daylit > 0.25 and daylit > 3 * void + 0.05, (daylit, void)


def test_level_0_keeps_its_world_near_black(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(seed=1, width=6, depth=6, scene=scene)
    assert scene.world.get(WORLD_KEY) == "LEVEL_0" and _sky(scene.world) < 0.01
    api.generate(preset="LEVEL_188", seed=1, width=6, depth=6, scene=scene)
    assert _sky(scene.world) > 0.5, "the court's sky replaces the void"
    api.generate(seed=1, width=6, depth=6, scene=scene)
    assert _sky(scene.world) < 0.01, "and back again"
    assert len([w for w in bpy.data.worlds if WORLD_KEY in w]) == 2, "one world per style, reused"


def test_the_users_world_is_left_alone_and_comes_back_on_clear(scene: bpy.types.Scene, api: ModuleType) -> None:
    mine = bpy.data.worlds.new("Mine")
    mine.color = (0.3, 0.2, 0.1)
    scene.world = mine
    api.generate(preset="LEVEL_188", seed=1, width=6, depth=6, scene=scene)
    assert scene.world != mine and scene.world.get(WORLD_KEY) == "LEVEL_188"
    assert tuple(mine.color) == pytest.approx((0.3, 0.2, 0.1)) and WORLD_KEY not in mine
    assert mine.users > 0, "kept alive while the scene points away from it, so a saved file keeps it"
    api.generate(seed=2, width=6, depth=6, scene=scene, new_level=True)
    api.clear(scene)
    assert scene.world.get(WORLD_KEY) == "LEVEL_0", "a level is left: its world stays"
    api.clear(scene, all_levels=True)
    assert scene.world == mine
    assert not [w for w in bpy.data.worlds if WORLD_KEY in w], "the add-on's unused worlds go"


def test_a_scene_without_a_world_gets_none_back(scene: bpy.types.Scene, api: ModuleType) -> None:
    assert scene.world is None
    api.generate(seed=1, width=6, depth=6, scene=scene)
    assert scene.world is not None
    api.clear(scene)
    assert scene.world is None and not [w for w in bpy.data.worlds if WORLD_KEY in w]


def test_a_render_preset_without_a_level_leaves_the_users_world(scene: bpy.types.Scene) -> None:
    mine = bpy.data.worlds.new("Mine")
    mine.color = (0.3, 0.2, 0.1)
    scene.world = mine
    assert bpy.ops.backrooms.render_preset(preset="preview") == {"FINISHED"}
    assert scene.world == mine and tuple(mine.color) == pytest.approx((0.3, 0.2, 0.1))
    assert not [w for w in bpy.data.worlds if WORLD_KEY in w], "no world of the add-on's was made"


def test_a_copy_the_user_made_of_the_add_ons_world_is_theirs(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(seed=1, width=6, depth=6, scene=scene)
    copy = scene.world.copy()
    copy.color = (0.5, 0.1, 0.1)
    api.clear(scene, all_levels=True)  # the add-on's own world goes; the copy is used by nothing
    assert copy.name in bpy.data.worlds, "not deleted with the add-on's worlds"
    copy.use_fake_user = True
    api.generate(seed=1, width=6, depth=6, scene=scene)
    assert scene.world != copy and tuple(copy.color) == pytest.approx((0.5, 0.1, 0.1)), "not taken, not recoloured"


def test_no_world_chosen_while_a_level_stands_stays_chosen(scene: bpy.types.Scene, api: ModuleType) -> None:
    mine = bpy.data.worlds.new("Mine")
    scene.world = mine
    api.generate(seed=1, width=6, depth=6, scene=scene)
    scene.world = None
    api.clear(scene)
    assert scene.world is None


def test_regenerating_keeps_the_world_s_nodes_and_sets_back_what_was_changed(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    styles = importlib.import_module(f"{addon.__name__}.core.styles").STYLES
    api.generate(preset="LEVEL_0", seed=0, width=8, depth=8, scene=scene)
    tree = scene.world.node_tree
    ambient = tree.nodes["EEVEE ambient"]
    nodes = sorted(node.name for node in tree.nodes)
    api.generate(preset="LEVEL_0", seed=1, width=8, depth=8, scene=scene)
    assert scene.world.node_tree == tree and sorted(node.name for node in tree.nodes) == nodes
    assert tree.nodes["EEVEE ambient"] == ambient, "the same node, not made again"
    # Changed by hand since: the next level sets the style's values back.
    ambient.inputs["Color"].default_value = (1.0, 0.0, 0.0, 1.0)
    background = next(n for n in tree.nodes if n.bl_idname == "ShaderNodeBackground" and n != ambient)
    background.inputs["Strength"].default_value = 5.0
    api.generate(preset="LEVEL_0", seed=2, width=8, depth=8, scene=scene)
    level0 = styles["LEVEL_0"]
    colour = tuple(tree.nodes["EEVEE ambient"].inputs["Color"].default_value)
    assert colour == pytest.approx((*level0.eevee_ambient_rgb, 1.0))
    assert background.inputs["Strength"].default_value == pytest.approx(level0.world_strength)
