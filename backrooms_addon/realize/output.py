"""Outputs: saving the .blend, exporting USD, setting up and rendering the preview PNG (glTF: gltf.py)."""

from __future__ import annotations

import json
from pathlib import Path

import bpy

from ..core.render import RenderPreset
from ..core.styles import STYLES, Style
from .ownership import LAST_LEVEL_KEY, SPEC_KEY, find_level


def save_blend(path: Path) -> None:
    """Save a copy of the open file, leaving the session's own file path alone."""
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, check_existing=False)


def export_usd(path: Path) -> None:
    """Export the scene as USD with its materials, lights and camera; a .usdz path packages the
    textures into the one file."""
    bpy.ops.wm.usd_export(filepath=str(path), export_materials=True, check_existing=False)


def apply_render_preset(
    scene: bpy.types.Scene,
    preset: RenderPreset,
    samples: int | None = None,
    resolution: tuple[int, int] | None = None,
) -> None:
    """Set up Cycles on the CPU for a preset (samples and resolution may be overridden).

    Many-light sampling (the light tree) keeps render time flat as troffers multiply; AgX keeps
    the cool tubes from clipping against the yellow walls.
    """
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples or preset.samples
    scene.cycles.use_light_tree = True
    scene.cycles.use_denoising = preset.denoise
    scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.cycles.max_bounces = preset.max_bounces
    scene.render.resolution_x, scene.render.resolution_y = resolution or preset.resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.view_settings.view_transform = "AgX"
    scene.view_settings.exposure = preset.exposure
    if scene.world is None:
        scene.world = bpy.data.worlds.new("Backrooms void")
    _light_world(scene.world, _level_style(scene))


def _level_style(scene: bpy.types.Scene) -> Style:
    """The style of the level made last in the scene (Level 0's when there is none)."""
    level_id = scene.get(LAST_LEVEL_KEY)
    collection = find_level(level_id) if isinstance(level_id, str) else None
    if collection is None or SPEC_KEY not in collection:
        return STYLES["LEVEL_0"]
    stored = json.loads(collection[SPEC_KEY])
    return STYLES.get(stored.get("style", stored.get("level", "LEVEL_0")), STYLES["LEVEL_0"])


def _light_world(world: bpy.types.World, style: Style) -> None:
    """The world as the style has it: almost black for levels lit from inside, daylight otherwise."""
    world.color = style.world_rgb
    background = world.node_tree and next(
        (n for n in world.node_tree.nodes if n.bl_idname == "ShaderNodeBackground"), None
    )
    if background:  # worlds with nodes (always, from Blender 5.0) ignore world.color
        background.inputs["Color"].default_value = (*style.world_rgb, 1.0)
        background.inputs["Strength"].default_value = style.world_strength


def render_png(scene: bpy.types.Scene, path: Path) -> None:
    """Render the scene camera's view to a PNG file."""
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
