"""USD export: the package is named like its file, whatever name it is written under, and every
lamp goes out at its style's steady power."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path
from types import ModuleType

import bpy
import pytest

pytestmark = pytest.mark.slow


def _output(addon: ModuleType) -> ModuleType:
    return importlib.import_module(f"{addon.__name__}.realize.output")


def test_a_usdz_package_is_named_like_its_file_not_its_temporary_name(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    api.generate(seed=7, width=8, depth=8, scene=scene)
    packages = []
    for pid in (101, 202):  # two runs write under two temporary names, as the command line does
        temporary = tmp_path / f".level_7.partial-host-{pid}.usdz"
        _output(addon).export_usd(temporary)
        packages.append(temporary.rename(tmp_path / f"run{pid}.usdz"))
    listings = [zipfile.ZipFile(package).namelist() for package in packages]
    assert listings[0][0] == listings[1][0] == "level_7.usdc", "the root layer, first in the package"
    assert sorted(listings[0]) == sorted(listings[1]), "the same files (the textures' order varies)"
    layers = [zipfile.ZipFile(package).read("level_7.usdc") for package in packages]
    assert b"partial" not in layers[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "nothing left under a temporary name"
    plain = tmp_path / "mine.usdz"
    _output(addon).export_usd(plain)
    assert zipfile.ZipFile(plain).namelist()[0] == "mine.usdc"


def _dimmed_frame(lights: set[bpy.types.Light]) -> dict[str, float]:
    """Go to a frame where a flickering lamp is dimmed; the lights' power there, by name."""
    for frame in range(1, 250):
        bpy.context.scene.frame_set(frame)
        energies = {light.name: light.energy for light in lights}
        if len(set(energies.values())) > 1:
            return energies
    raise AssertionError("no frame dims a flickering lamp")


def test_usd_lamps_shine_at_their_style_s_steady_power(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    level = api.generate(preset="LEVEL_1", seed=4, width=24, depth=16, flicker_fraction=0.6, dead_fraction=0.0)
    lights = {obj.data for obj in level.objects if obj.type == "LIGHT"}
    assert any("flicker" in light.name for light in lights)
    energies = _dimmed_frame(lights)
    _output(addon).export_usd(tmp_path / "level.usda")
    text = (tmp_path / "level.usda").read_text()
    lamps = re.findall(r'def RectLight "[^"]*"\s*\{[^}]*?float inputs:intensity = ([-+0-9.e]+)', text)
    intensities = [float(value) for value in lamps]
    assert len(intensities) == sum(obj.type == "LIGHT" for obj in level.objects)
    assert len(set(intensities)) == 1, sorted(set(intensities))
    # EEVEE's diffuse gain on the lamps is EEVEE's alone: other renderers get plain lamps.
    assert all(light.diffuse_factor > 1 for light in lights)
    diffuse = re.findall(r"float inputs:diffuse = ([-+0-9.e]+)", text)
    assert all(float(value) == 1.0 for value in diffuse), diffuse
    # The scene is as before: the lamps' own lights, names and keyframes.
    assert {obj.data for obj in level.objects if obj.type == "LIGHT"} == lights
    assert {light.name: light.energy for light in lights} == energies
    assert all(light.animation_data for light in lights if "flicker" in light.name)
    assert len(bpy.data.lights) == len(lights)
    assert all(light.diffuse_factor > 1 for light in lights), "the scene keeps its EEVEE gain"


def test_usd_normal_maps_are_the_recipes_own(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, tmp_path: Path
) -> None:
    """The walls' and floors' normal maps are framed by the axes in Blender (core/axis_normals.py);
    USD gets each recipe's own tangent-space map: the texture read as 2 x texel - 1, its vector
    nodes not taken for a scale and bias. The file's materials stay framed."""
    api.generate(seed=7, width=8, depth=8, scene=scene)
    framed = [m for m in bpy.data.materials if m.node_tree and "frame" in m.node_tree.nodes]
    assert len(framed) >= 3
    _output(addon).export_usd(tmp_path / "level.usda")
    text = (tmp_path / "level.usda").read_text()
    normal_textures = re.findall(r'def Shader "[^"]*"\s*\{([^}]*?_normal\.png@[^}]*)\}', text)
    assert len(normal_textures) >= len(framed)
    for shader in normal_textures:
        assert "float4 inputs:scale = (2, 2, 2, 2)" in shader and "float4 inputs:bias = (-1, -1, -1, -1)" in shader
    assert all(m.node_tree.nodes["normal"].space == "OBJECT" for m in framed)
    assert all(m.node_tree.nodes["frame"].outputs[0].links for m in framed)
