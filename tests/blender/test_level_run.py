"""Level ! in Blender: lamps and emergency lights pulse with the style's period, frames are red, walks run."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from PIL import Image

from backrooms_addon.core.styles import style_of

FRAME = (160, 90)
RUN = style_of("LEVEL_RUN")


def _module(addon: ModuleType, name: str) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.{name}")


def _curve(addon: ModuleType, owner: bpy.types.ID, path: str) -> object:
    (curve,) = _module(addon, "realize.camera_rig").fcurves(owner, path, 1)
    return curve


def test_lamps_and_emergency_lights_pulse_with_the_style_s_period(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType
) -> None:
    scene.render.fps = 24
    level = api.generate(preset="LEVEL_RUN", seed=4, width=16, depth=12, scene=scene)
    lights = {obj.data for obj in level.objects if obj.type == "LIGHT"}
    assert lights, "emergency lamps"
    period = RUN.lamp_pulse_s * 24
    for light in lights:
        assert tuple(light.color) == pytest.approx(RUN.lamp_rgb)
        energy = _curve(addon, light, "energy")
        full = energy.evaluate(1.0)
        assert full == pytest.approx(RUN.lamp_power_w)
        assert energy.evaluate(1.0 + period / 2) < 0.3 * full, "dim half a period on"
        for cycles in (1, 3, 10):  # and again every period, for ever
            assert energy.evaluate(1.0 + cycles * period) == pytest.approx(full, rel=1e-4)
            assert energy.evaluate(1.0 + (cycles + 0.5) * period) == pytest.approx(energy.evaluate(1.0 + period / 2))
        quarter = energy.evaluate(1.0 + period / 4)
        assert 0.3 * full < quarter < full, "a smooth swell, not a switch"
    glowing = [m for m in bpy.data.materials if m.get("backrooms_recipe") == "emergency_diffuser"]
    assert glowing, "the lit fixtures are the style's emergency lights"
    strength = glowing[0].node_tree.nodes["strength"].inputs[1]
    glow = _curve(addon, glowing[0].node_tree, strength.path_from_id("default_value"))
    assert glow.evaluate(1.0) == pytest.approx(glow.evaluate(1.0 + period)) and glow.evaluate(1.0) > 1.0
    assert glow.evaluate(1.0 + period / 2) < 0.3 * glow.evaluate(1.0)


def _render(scene: bpy.types.Scene, addon: ModuleType, path: Path) -> np.ndarray:
    output, presets = _module(addon, "realize.output"), _module(addon, "core.render").RENDER_PRESETS
    output.apply_render_preset(scene, presets["preview"], samples=8, resolution=FRAME)
    scene.cycles.device = "CPU"
    output.render_png(scene, path)
    return np.asarray(Image.open(path).convert("RGB"), np.float64) / 255


def _red_share(pixels: np.ndarray) -> float:
    mean = pixels.reshape(-1, 3).mean(axis=0)
    return float(mean[0] / max(mean.sum(), 1e-9))


@pytest.mark.slow
def test_a_frame_is_dominated_by_red_unlike_level_0(scene: bpy.types.Scene, api: ModuleType, addon: ModuleType) -> None:
    folder = Path(bpy.app.tempdir or "/tmp")
    api.generate(preset="LEVEL_RUN", seed=4, width=24, depth=18, scene=scene)
    run = _render(scene, addon, folder / "level_run.png")
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    api.generate(preset="LEVEL_0", seed=4, width=24, depth=18, scene=scene)
    lobby = _render(scene, addon, folder / "level0.png")
    assert run.mean() > 0.03, "lit"
    assert _red_share(run) > 0.6, _red_share(run)
    assert _red_share(lobby) < 0.5 and _red_share(run) > _red_share(lobby) + 0.15


def test_a_walk_runs_from_the_api_and_the_walk_button(scene: bpy.types.Scene, api: ModuleType) -> None:
    walk = api.walk(preset="LEVEL_RUN", seed=4, width=16, depth=12, length=12.0, scene=scene)
    assert walk.walk.route.speed == RUN.walk["speed"] and walk.walk.settings["shake"] == RUN.walk["shake"]
    slow = api.walk(preset="LEVEL_RUN", seed=4, width=16, depth=12, length=6.0, speed=1.4, scene=scene)
    assert slow.walk.route.speed == 1.4, "an explicit pace wins"
    # The Walk button walks the level made last with the panel's settings, which took the run's
    # pace when the panel's level became Level ! (tests/blender/test_walk_panel.py).
    assert bpy.ops.backrooms.level_preset(preset="LEVEL_RUN") == {"FINISHED"}
    assert bpy.ops.backrooms.walk(length=6.0) == {"FINISHED"}
    stored = json.loads(api.levels(scene)[0]["backrooms_walk"])
    assert stored["speed"] == pytest.approx(RUN.walk["speed"]) and stored["length"] == 6.0
