"""EEVEE renders a level as Cycles does: the same light, measured from the same camera.

Each preset is rendered once per engine in a tiny frame and the two are compared by their mean
luminance, the mean of the ceiling band (the top third) and the share of near-black pixels; Level 0
by its hue too. Before Generate set up EEVEE, its Level 0 was a black void (ceiling 0.03 against
Cycles' 0.31, 44% of the frame near black): these tolerances fail that. Every preset is compared
(benchmarks/bench_eevee_look.py prints the figures). Level 6 is black but for the camera's
flashlight, so its frame's mean and ceiling are mostly the dark: it is compared by the pool of
light the flashlight throws instead (see test_level_6_in_eevee_is_lit_by_its_flashlight_alone).
"""

from __future__ import annotations

import colorsys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from paths import load_script

from backrooms_addon.core.styles import STYLES
from backrooms_addon.realize.world import EEVEE_OUTPUT

pytestmark = pytest.mark.slow

EEVEE = "BLENDER_EEVEE_NEXT" if bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"
FRAME = (96, 54)
CELLS = 24


# The renders and measures of benchmarks/bench_eevee_look.py, at a smaller frame and fewer samples.
LOOK = load_script("benchmarks/bench_eevee_look.py")
measure = LOOK.measure


def render(scene: bpy.types.Scene, engine: str, path: Path) -> np.ndarray:
    """The scene camera's view in `engine`, as sRGB values in [0, 1]."""
    image: np.ndarray = LOOK.render(scene, engine, path, FRAME, (8, 4))
    return image


def hue(image: np.ndarray) -> float:
    """The hue of the frame's mean colour, in degrees."""
    return 360 * colorsys.rgb_to_hsv(*image.reshape(-1, 3).mean(0))[0]


def both_engines(api: ModuleType, scene: bpy.types.Scene, preset: str, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    api.generate(preset=preset, seed=0, width=CELLS, depth=CELLS, scene=scene)
    return render(scene, "CYCLES", folder / "cycles.png"), render(scene, EEVEE, folder / "eevee.png")


def assert_alike(cycles: dict[str, float], eevee: dict[str, float]) -> None:
    assert eevee["mean"] == pytest.approx(cycles["mean"], rel=0.3), (cycles, eevee)
    assert eevee["ceiling"] == pytest.approx(cycles["ceiling"], rel=0.35, abs=0.02), (cycles, eevee)
    assert eevee["black"] <= cycles["black"] + 0.1, (cycles, eevee)


def test_level_0_in_eevee_is_lit_like_cycles(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    cycles, eevee = both_engines(api, scene, "LEVEL_0", tmp_path)
    assert_alike(measure(cycles), measure(eevee))
    assert abs(hue(eevee) - hue(cycles)) < 6, "the same yellow"
    assert scene.render.engine == EEVEE, "Generate leaves the engine as the user set it"


def test_level_1_in_eevee_keeps_its_dark_basement(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    cycles, eevee = both_engines(api, scene, "LEVEL_1", tmp_path)
    assert_alike(measure(cycles), measure(eevee))


def test_generate_leaves_the_render_engine_alone(scene: bpy.types.Scene, api: ModuleType) -> None:
    scene.render.engine = "CYCLES"
    api.generate(seed=0, width=8, depth=8, scene=scene)
    assert scene.render.engine == "CYCLES"
    assert scene.eevee.use_raytracing, "set up for when EEVEE renders"


def test_eevee_lamp_gain_leaves_cycles_as_it_was(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    api.generate(seed=0, width=12, depth=12, scene=scene)
    lights = {obj.data for obj in scene.objects if obj.type == "LIGHT"}
    assert lights and all(light.diffuse_factor > 1 for light in lights)
    scene.cycles.seed = 0
    with_gain = render(scene, "CYCLES", tmp_path / "gain.png")
    for light in lights:
        light.diffuse_factor = 1.0
    without = render(scene, "CYCLES", tmp_path / "plain.png")
    assert np.array_equal(with_gain, without), "Cycles ignores a lamp's diffuse factor"
    tree = scene.world.node_tree
    tree.nodes.remove(tree.nodes[EEVEE_OUTPUT])
    without_ambient = render(scene, "CYCLES", tmp_path / "no_ambient.png")
    assert np.array_equal(with_gain, without_ambient), "Cycles ignores the world's EEVEE output"


def test_eevee_ambient_is_eevees_alone(scene: bpy.types.Scene, api: ModuleType) -> None:
    api.generate(preset="LEVEL_0", seed=0, width=8, depth=8, scene=scene)
    nodes = scene.world.node_tree.nodes
    outputs = {n.target: n for n in nodes if n.bl_idname == "ShaderNodeOutputWorld"}
    assert set(outputs) == {"CYCLES", "EEVEE"}
    ambient = outputs["EEVEE"].inputs["Surface"].links[0].from_node
    assert tuple(ambient.inputs["Color"].default_value)[:3] == pytest.approx(STYLES["LEVEL_0"].eevee_ambient_rgb)
    api.generate(preset="LEVEL_188", seed=0, width=8, depth=8, scene=scene)  # lit by its sky in both
    outputs188 = [n for n in scene.world.node_tree.nodes if n.bl_idname == "ShaderNodeOutputWorld"]
    assert [n.target for n in outputs188] == ["ALL"]


@pytest.mark.parametrize(
    "preset", ["LEVEL_0_MAZE", "LEVEL_0_HALLS", "LEVEL_37", "LEVEL_188", "LEVEL_2", "LEVEL_4", "LEVEL_RUN"]
)
def test_the_other_presets_in_eevee_are_lit_like_cycles(
    scene: bpy.types.Scene, api: ModuleType, tmp_path: Path, preset: str
) -> None:
    cycles, eevee = both_engines(api, scene, preset, tmp_path)
    assert_alike(measure(cycles), measure(eevee))


def test_blackout_in_eevee_is_lit_like_cycles(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    cycles, eevee = both_engines(api, scene, "LEVEL_0_BLACKOUT", tmp_path)
    assert_alike(measure(cycles), measure(eevee))


def pool(image: np.ndarray) -> dict[str, float]:
    """The flashlight's pool of light: the share of the frame it lights (above near black) and the
    mean luminance there."""
    luminance = image @ np.array([0.2126, 0.7152, 0.0722])
    lit = luminance >= LOOK.NEAR_BLACK
    return {"lit": float(lit.mean()), "bright": float(luminance[lit].mean()) if lit.any() else 0.0}


def test_level_6_in_eevee_is_lit_by_its_flashlight_alone(
    scene: bpy.types.Scene, api: ModuleType, tmp_path: Path
) -> None:
    """No lamp is lit and EEVEE gets no ambient of its own: in both engines most of the frame is
    black and the flashlight lights a pool of about the same size and brightness."""
    cycles, eevee = (pool(image) for image in both_engines(api, scene, "LEVEL_6", tmp_path))
    assert 0.02 < cycles["lit"] < 0.5, cycles
    assert eevee["lit"] == pytest.approx(cycles["lit"], abs=0.06), (cycles, eevee)
    assert eevee["bright"] == pytest.approx(cycles["bright"], rel=0.25), (cycles, eevee)
