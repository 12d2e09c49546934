"""Outputs: saving the .blend, exporting USD, setting up and rendering the preview PNG (glTF: gltf.py)."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..core.errors import InvalidSpecError
from ..core.render import RenderPreset
from ..core.styles import DEFAULT_STYLE, STYLES, Style
from .ownership import LAST_LEVEL_KEY, SPEC_KEY, find_level, stored_spec
from .world import light_scene


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
    style = _level_style(scene)
    if style is not None:  # without a level the scene's world is the user's business
        light_scene(scene, style)


def _level_style(scene: bpy.types.Scene) -> Style | None:
    """The style of the level made last in the scene (None when there is none)."""
    level_id = scene.get(LAST_LEVEL_KEY)
    collection = find_level(level_id) if isinstance(level_id, str) else None
    if collection is None or SPEC_KEY not in collection:
        return None
    try:
        return STYLES[stored_spec(collection).style]
    except InvalidSpecError:  # a level from a newer generator: render it in the default style
        return STYLES[DEFAULT_STYLE]


def render_png(scene: bpy.types.Scene, path: Path) -> None:
    """Render the scene camera's view to a PNG file."""
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
