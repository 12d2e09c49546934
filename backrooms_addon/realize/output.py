"""Outputs: saving the .blend, exporting USD, setting up and rendering the preview PNG (glTF: gltf.py)."""

from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import bpy

from ..core.errors import InvalidSpecError
from ..core.render import RenderPreset
from ..core.styles import DEFAULT_STYLE, STYLES, Style
from .level import steady_power
from .ownership import LAST_LEVEL_KEY, LEVEL_KEY, SPEC_KEY, find_level, stored_spec
from .world import light_scene


def save_blend(path: Path) -> None:
    """Save a copy of the open file, leaving the session's own file path alone."""
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, check_existing=False)


def export_usd(path: Path) -> None:
    """Export the scene as USD with its materials, lights and camera; a .usdz path packages the
    textures into the one file, its root layer named like the package (not like the temporary
    name it may be written under), so the same level gives the same package. Every lamp goes out
    at its style's steady power, a flickering one too (not at its power on the current frame).
    The materials framed by the axes go out with their recipes' own normal maps: Blender's
    exporter finds the texture behind the Normal Map node through the frame's group, and reads
    the texture's scale and bias from no node inside it."""
    with ExitStack() as undo:
        _steady_lamps(bpy.context.scene, undo)
        if path.suffix.lower() != ".usdz":
            _usd_export(path)
            return
        # The package's root layer is named after the file Blender writes: write it in a folder
        # of its own under the final name, then move it to `path`.
        with tempfile.TemporaryDirectory(prefix="backrooms-usd-") as folder:
            named = Path(folder) / f"{package_stem(path)}{path.suffix}"
            _usd_export(named)
            shutil.move(named, path)


def _usd_export(path: Path) -> None:
    bpy.ops.wm.usd_export(filepath=str(path), export_materials=True, check_existing=False)


# The command line writes each file as .NAME.partial-HOST-PID.EXT first, then renames it.
_TEMPORARY_NAME = re.compile(r"\.(?P<stem>.+)\.partial-[^.]*")


def package_stem(path: Path) -> str:
    """The name a file will have once complete, without its suffix: NAME for .NAME.partial-..."""
    match = _TEMPORARY_NAME.fullmatch(path.stem)
    return match["stem"] if match else path.stem


def _steady_lamps(scene: bpy.types.Scene, undo: ExitStack) -> None:
    """Give the level's lamps, for the export only, a light as other renderers should see it: at
    its steady power (not a flickering lamp's power on this frame), and without the diffuse gain
    that only EEVEE reads (realize/eevee.py)."""
    steady: dict[bpy.types.Light, bpy.types.Light] = {}
    for obj in scene.objects:
        light = obj.data
        if obj.type != "LIGHT" or LEVEL_KEY not in light:
            continue
        if light.animation_data is None and light.diffuse_factor == 1.0:
            continue
        if light not in steady:
            steady[light] = _steady_copy(light, undo)
        undo.callback(setattr, obj, "data", light)
        obj.data = steady[light]


def _steady_copy(light: bpy.types.Light, undo: ExitStack) -> bpy.types.Light:
    copy = light.copy()
    copy.animation_data_clear()
    copy.energy = steady_power(light)
    copy.diffuse_factor = 1.0
    name = light.name  # the copy goes out under the light's name; both get their own back after
    light.name = f"{name} (kept)"
    copy.name = name
    undo.callback(_drop_copy, light, copy, name)
    return copy


def _drop_copy(light: bpy.types.Light, copy: bpy.types.Light, name: str) -> None:
    bpy.data.lights.remove(copy)
    light.name = name


def apply_render_preset(
    scene: bpy.types.Scene,
    preset: RenderPreset,
    samples: int | None = None,
    resolution: tuple[int, int] | None = None,
) -> None:
    """Set up the preset's engine, Cycles on the CPU or EEVEE (samples and resolution may be
    overridden), and the level's world. AgX keeps the cool tubes from clipping against the
    yellow walls, in either engine."""
    if preset.engine == "eevee":
        _set_up_eevee(scene, preset, samples or preset.samples)
    else:
        _set_up_cycles(scene, preset, samples or preset.samples)
    scene.render.resolution_x, scene.render.resolution_y = resolution or preset.resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.view_settings.view_transform = "AgX"
    scene.view_settings.exposure = preset.exposure
    style = _level_style(scene)
    if style is not None:  # without a level the scene's world is the user's business
        light_scene(scene, style)


def _set_up_cycles(scene: bpy.types.Scene, preset: RenderPreset, samples: int) -> None:
    """Many-light sampling (the light tree) keeps render time flat as troffers multiply."""
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_light_tree = True
    scene.cycles.use_denoising = preset.denoise
    scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.cycles.max_bounces = preset.max_bounces


# EEVEE's quality knobs that the final preset raises and the preview puts back to Blender's
# defaults: ray tracing and fast GI at full rather than half resolution, and more shadow rays and
# steps (softer, cleaner troffer shadows). Whether ray tracing, fast GI and shadows are on at all,
# and fast GI's rays and steps, are the level's set-up on Generate (realize/eevee.py).
_EEVEE_QUALITY = {
    False: {"resolution_scale": "2", "shadow_ray_count": 1, "shadow_step_count": 6},
    True: {"resolution_scale": "1", "shadow_ray_count": 2, "shadow_step_count": 12},
}


def _set_up_eevee(scene: bpy.types.Scene, preset: RenderPreset, samples: int) -> None:
    scene.render.engine = eevee_engine()
    eevee = scene.eevee
    eevee.taa_render_samples = samples
    quality = _EEVEE_QUALITY[preset.high_quality]
    eevee.ray_tracing_options.resolution_scale = quality["resolution_scale"]
    eevee.fast_gi_resolution = quality["resolution_scale"]
    eevee.shadow_ray_count = quality["shadow_ray_count"]
    eevee.shadow_step_count = quality["shadow_step_count"]


def eevee_engine() -> str:
    """EEVEE's engine id in the running Blender: BLENDER_EEVEE_NEXT in 4.2, BLENDER_EEVEE before
    and after (asked of the engine list rather than guessed from the version)."""
    engines = bpy.types.RenderSettings.bl_rna.properties["engine"].enum_items.keys()
    return "BLENDER_EEVEE_NEXT" if "BLENDER_EEVEE_NEXT" in engines else "BLENDER_EEVEE"


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
