"""Outputs: saving the .blend, exporting the .glb and rendering the preview PNG."""

from __future__ import annotations

from pathlib import Path

import bpy

WORLD_COLOR = (0.002, 0.002, 0.0015)  # almost black: the level is lit from inside


def save_blend(path: Path) -> None:
    """Save a copy of the open file, leaving the session's own file path alone."""
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, check_existing=False)


def export_glb(path: Path) -> None:
    """Export the scene as binary glTF, with the camera and the lamps (as punctual lights)."""
    bpy.ops.export_scene.gltf(
        filepath=str(path),
        export_format="GLB",
        export_cameras=True,
        export_lights=True,
        export_extras=True,
        check_existing=False,
    )


def configure_preview_render(scene: bpy.types.Scene, samples: int, resolution: tuple[int, int]) -> None:
    """Cycles on the CPU at few samples, denoised: a quick, honest look at the level."""
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = True
    scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.cycles.max_bounces = 4
    scene.render.resolution_x, scene.render.resolution_y = resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.view_settings.view_transform = "AgX"
    if scene.world is None:
        scene.world = bpy.data.worlds.new("Backrooms void")
    scene.world.color = WORLD_COLOR
    scene.world.use_nodes = False


def render_png(scene: bpy.types.Scene, path: Path) -> None:
    """Render the scene camera's view to a PNG file."""
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
