"""The camcorder look in Blender: the template group, the compositor set up and taken out, tiny renders."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import bpy
import numpy as np
import pytest
from blender_support import ROOT
from paths import load_script
from PIL import Image

BLENDER_5 = bpy.app.version >= (5, 0, 0)


@pytest.fixture
def look(addon: ModuleType) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.realize.camcorder")


@pytest.fixture
def level_scene(scene: bpy.types.Scene, api: ModuleType) -> bpy.types.Scene:
    """Level 0, seed 0, 8 x 8 cells, seen by its spawn camera in Workbench (fast and noiseless):
    the yellow walls against the white ceiling give the colour edges to measure."""
    api.generate(seed=0, width=8, depth=8, scene=scene)
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.display.shading.color_type = "MATERIAL"
    scene.render.resolution_x, scene.render.resolution_y = 320, 240
    scene.render.resolution_percentage = 100
    return scene


def render(scene: bpy.types.Scene, path: Path, frame: int = 1) -> np.ndarray:
    scene.frame_set(frame)
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    return np.asarray(Image.open(path).convert("RGB"), np.float64)


def lag(reference: np.ndarray, moved: np.ndarray) -> float:
    """How far (px, to the right) `moved`'s upright edges lie from `reference`'s: the peak of the
    cross-correlation of their sideways gradients, refined between pixels."""
    edges = [np.diff(_tall(v[20:-40, 8:-8]), axis=1) for v in (reference, moved)]
    lags = np.arange(-6, 7)
    scores = np.array([(edges[0] * np.roll(edges[1], -k, axis=1))[:, 8:-8].sum() for k in lags])
    best = int(np.argmax(scores))
    if 0 < best < len(lags) - 1:
        left, mid, right = scores[best - 1 : best + 2]
        return float(lags[best] + 0.5 * (left - right) / (left - 2 * mid + right))
    return float(lags[best])


def luma_and_colour(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brightness, and blue less brightness (the colour difference a tape records apart)."""
    luma = picture @ np.array([0.299, 0.587, 0.114])
    return luma, picture[..., 2] - luma


def _tall(values: np.ndarray, rows: int = 9) -> np.ndarray:
    """Each pixel the mean of `rows` lines down: the walls' upright edges stay, the noise fades."""
    summed = np.cumsum(np.pad(values, ((1, 0), (0, 0))), axis=0)
    return (summed[rows:] - summed[:-rows]) / rows


def test_the_committed_group_is_what_the_script_builds(look: ModuleType) -> None:
    """The script runs in 4.2 (the oldest Blender, so every newer one converts the file); newer
    ones check that the group they read has every input and no broken link."""
    committed = look.load_group()
    names = [item.name for item in committed.interface.items_tree if item.in_out == "INPUT"]
    assert names == ["Image", "OSD", "Tape Noise", "Tape Shift", "Pixel Scale", *look.STRENGTH_INPUTS.values()]
    assert all(link.is_valid for link in committed.links)
    assert (ROOT / "blend_templates" / "camcorder.blend").stat().st_size < 200_000
    if BLENDER_5:
        return
    script = load_script("tools/make_camcorder.py")
    fresh = script.build_group()
    try:
        assert script.describe(fresh) == script.describe(committed), "run .venv-4.2/bin/python tools/make_camcorder.py"
    finally:
        bpy.data.node_groups.remove(fresh)


def test_the_vhs_look_misregisters_red_and_blue_and_clean_does_not(
    level_scene: bpy.types.Scene, look: ModuleType, tmp_path: Path
) -> None:
    clean = render(level_scene, tmp_path / "clean.png")
    look.apply_look(level_scene, "vhs", seed=1)
    vhs = render(level_scene, tmp_path / "vhs.png")
    (luma, colour), (vhs_luma, vhs_colour) = luma_and_colour(clean), luma_and_colour(vhs)
    assert abs(lag(luma, vhs_luma)) < 0.3, "the brightness stays where it was"
    assert lag(colour, vhs_colour) > 0.6, "the colour lags to the right: red and blue edges apart"
    look.apply_look(level_scene, "clean", seed=1)
    assert np.array_equal(render(level_scene, tmp_path / "clean_again.png"), clean), "clean: the render itself"


def test_noise_changes_every_frame_and_is_the_same_when_rendered_again(
    level_scene: bpy.types.Scene, look: ModuleType, tmp_path: Path
) -> None:
    look.apply_look(level_scene, "camcorder", seed=4)
    first = render(level_scene, tmp_path / "1.png", frame=1)
    second = render(level_scene, tmp_path / "2.png", frame=2)
    again = render(level_scene, tmp_path / "1b.png", frame=1)
    flat = (slice(60, 160), slice(120, 200))  # a wall and the floor, away from the display's text
    assert np.abs(first[flat] - second[flat]).mean() > 1.0, "new noise on frame 2, the camera still"
    assert np.array_equal(first, again), "the same frame and seed, the same picture"
    look.apply_look(level_scene, "camcorder", seed=5)
    other_seed = render(level_scene, tmp_path / "1c.png", frame=1)
    assert np.abs(first[flat] - other_seed[flat]).mean() > 1.0


def test_the_clock_changes_when_a_second_of_footage_passes(level_scene: bpy.types.Scene, look: ModuleType) -> None:
    from datetime import datetime

    level_scene.render.fps = 24
    look.apply_look(level_scene, "vhs", seed=0, start=datetime(1999, 12, 31, 23, 59, 58))
    image = bpy.data.images[look.IMAGES["OSD"]]

    def display(frame: int) -> np.ndarray:
        level_scene.frame_set(frame)
        pixels = np.empty(len(image.pixels), np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(240, 320, 4)

    one, two, next_second = display(1), display(2), display(25)
    assert tuple(image.size) == (320, 240) and one[..., 3].any()
    assert np.array_equal(one, two), "the same second"
    assert not np.array_equal(one, next_second)
    assert not np.array_equal(display(49), next_second), "into the next year"


def test_remove_look_leaves_the_users_compositor_as_it_was(level_scene: bpy.types.Scene, look: ModuleType) -> None:
    tree = _users_compositor(level_scene)
    before = _layout(tree)
    look.apply_look(level_scene, "vhs", seed=2)
    look.apply_look(level_scene, "camcorder", seed=2)  # again: updated, not inserted twice
    assert sum(n.bl_idname == "CompositorNodeGroup" for n in tree.nodes) == 1
    glare = tree.nodes["Users glare"]
    assert glare.outputs[0].links[0].to_node.node_tree.name == look.GROUP, "the look after the user's nodes"
    look.remove_look(level_scene)
    assert _layout(tree) == before
    assert look.GROUP not in bpy.data.node_groups and look.SETTINGS_KEY not in level_scene
    assert not [i for i in bpy.data.images if i.name.startswith("Backrooms Tape")]


def test_without_a_compositor_remove_look_puts_back_none(level_scene: bpy.types.Scene, look: ModuleType) -> None:
    look.apply_look(level_scene, "vhs", seed=2)
    assert look._tree(level_scene) is not None
    look.remove_look(level_scene)
    if BLENDER_5:
        assert level_scene.compositing_node_group is None
        made = [g for g in bpy.data.node_groups if g.name.startswith((look.GROUP, "Backrooms Compositing"))]
        assert not made, "the look's own groups go"
    else:
        assert not level_scene.use_nodes


def test_a_bad_look_changes_nothing(level_scene: bpy.types.Scene, look: ModuleType, addon: ModuleType) -> None:
    with pytest.raises(addon.core.errors.InvalidSpecError, match=r"^look: must be one of camcorder, clean, vhs"):
        look.apply_look(level_scene, "sepia", seed=0)
    assert look._tree(level_scene) is None and look.SETTINGS_KEY not in level_scene


def test_the_add_on_registers_the_frame_handler(look: ModuleType) -> None:
    for handlers in (bpy.app.handlers.frame_change_pre, bpy.app.handlers.render_pre):
        assert [h.__name__ for h in handlers].count("backrooms_camcorder_frame") == 1


def _users_compositor(scene: bpy.types.Scene) -> Any:
    """A compositor of the user's: Render Layers through a Glare node to the output."""
    if BLENDER_5:
        tree = bpy.data.node_groups.new("Users compositing", "CompositorNodeTree")
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        scene.compositing_node_group = tree
        output = tree.nodes.new("NodeGroupOutput")
        layers = tree.nodes.new("CompositorNodeRLayers")
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        output = next(n for n in tree.nodes if n.bl_idname == "CompositorNodeComposite")
        layers = next(n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers")
    glare = tree.nodes.new("CompositorNodeGlare")
    glare.name = "Users glare"
    tree.links.new(layers.outputs["Image"], glare.inputs["Image"])
    tree.links.new(glare.outputs["Image"], output.inputs[0])
    return tree


def _layout(tree: Any) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    nodes = sorted(n.name for n in tree.nodes)
    links = sorted(
        (k.from_node.name, k.from_socket.identifier, k.to_node.name, k.to_socket.identifier) for k in tree.links
    )
    return nodes, links
