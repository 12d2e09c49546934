"""Level 6 in Blender: black but for the flashlight the camera carries, at the spawn and on a walk."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
from PIL import Image

FRAME = (160, 90)


def _render(scene: bpy.types.Scene, addon: ModuleType, path: Path) -> np.ndarray:
    """The scene camera's view in Cycles on the CPU, tiny and at few samples, as sRGB in [0, 1]."""
    output = importlib.import_module(f"{addon.__name__}.realize.output")
    presets = importlib.import_module(f"{addon.__name__}.core.render").RENDER_PRESETS
    output.apply_render_preset(scene, presets["preview"], samples=8, resolution=FRAME)
    scene.cycles.device = "CPU"
    output.render_png(scene, path)
    return np.asarray(Image.open(path).convert("RGB"), np.float64) / 255


def _flashlights(objects: list[bpy.types.Object]) -> list[bpy.types.Object]:
    return [obj for obj in objects if obj.type == "LIGHT" and obj.data.type == "SPOT"]


def test_the_spawn_view_is_black_but_where_the_flashlight_falls(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    level = api.generate(preset="LEVEL_6", seed=4, scene=scene)
    assert not [obj for obj in level.objects if obj.type == "LIGHT" and obj.data.type != "SPOT"], "no lamp is lit"
    (flashlight,) = _flashlights(level.objects)
    assert flashlight.parent == level.camera == scene.camera
    folder = Path(bpy.app.tempdir or "/tmp")
    lit = _render(scene, addon, folder / "level6.png")
    h, w = lit.shape[0] // 6, lit.shape[1] // 6
    corners = [lit[:h, :w], lit[:h, -w:], lit[-h:, :w], lit[-h:, -w:]]
    centre = lit[lit.shape[0] // 4 : -lit.shape[0] // 4, lit.shape[1] // 4 : -lit.shape[1] // 4]
    assert max(float(c.mean()) for c in corners) < 0.02, "the corners are outside the beam: black"
    assert centre.mean() > 0.03 and centre.mean() > 5 * max(float(c.mean()) for c in corners), centre.mean()
    flashlight.hide_render = True
    dark = _render(scene, addon, folder / "level6-dark.png")
    assert dark.max() < 0.02, "without the flashlight nothing lights the level"
    # Level 0 from the same seed's spawn is lit to its corners.
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    api.generate(preset="LEVEL_0", seed=4, scene=bpy.context.scene)
    lobby = _render(bpy.context.scene, addon, folder / "level0.png")
    h, w = lobby.shape[0] // 6, lobby.shape[1] // 6
    lobby_corners = [lobby[:h, :w], lobby[:h, -w:], lobby[-h:, :w], lobby[-h:, -w:]]
    assert min(float(c.mean()) for c in lobby_corners) > 0.05, "the Lobby's lamps light every corner"


def test_the_walk_carries_the_flashlight_swaying_and_clear_takes_it(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    walk = api.walk(preset="LEVEL_6", seed=4, length=8.0, scene=scene)
    (flashlight,) = _flashlights(walk.objects)
    assert flashlight.parent == walk.camera
    spot = flashlight.data
    assert 40 <= np.degrees(spot.spot_size) <= 50 and spot.spot_blend > 0.3
    rig = importlib.import_module(f"{addon.__name__}.realize.camera_rig")
    curves = rig.fcurves(flashlight, "rotation_euler", 2)
    assert all([m.type for m in curve.modifiers] == ["NOISE"] for curve in curves), "its sway is keyed noise"
    pitch = [_rotation(flashlight, frame)[0] for frame in range(1, 48, 6)]
    assert np.ptp(pitch) > np.radians(0.2), "it sways of its own"
    assert max(np.abs(pitch)) < np.radians(5), "a slight sway, aimed along the view"
    again = api.walk(preset="LEVEL_6", seed=4, length=8.0, scene=scene)
    (same,) = _flashlights(again.objects)
    assert [_rotation(same, frame)[0] for frame in range(1, 48, 6)] == pitch, "the same sway for the same seed"
    api.clear(scene)
    assert not [obj for obj in bpy.data.objects if obj.name.startswith("Backrooms flashlight")]


def _rotation(obj: bpy.types.Object, frame: int) -> tuple[float, float, float]:
    bpy.context.scene.frame_set(frame)
    return tuple(obj.matrix_local.to_euler())  # type: ignore[return-value]
