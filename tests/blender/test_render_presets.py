"""Render presets in Cycles and EEVEE: the operator, the panel's presets and `--engine` on the command line."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image

from backrooms_addon.cli.commands import main

# Blender 4.2 calls the new EEVEE BLENDER_EEVEE_NEXT; from 4.3 on it is BLENDER_EEVEE again.
EEVEE = "BLENDER_EEVEE_NEXT" if bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"


def test_the_eevee_engine_id_is_the_running_blenders(addon: ModuleType) -> None:
    output = importlib.import_module(f"{addon.__name__}.realize.output")
    assert output.eevee_engine() == EEVEE


def test_eevee_presets_set_up_eevee_and_cycles_ones_cycles(scene: bpy.types.Scene, addon: ModuleType) -> None:
    assert bpy.ops.backrooms.render_preset(preset="eevee_final") == {"FINISHED"}
    assert scene.render.engine == EEVEE and scene.eevee.taa_render_samples == 128
    assert (scene.render.resolution_x, scene.render.resolution_y) == (1920, 1080)
    assert scene.eevee.ray_tracing_options.resolution_scale == "1", "full-resolution ray tracing for a final"
    assert scene.eevee.fast_gi_resolution == "1" and scene.eevee.shadow_ray_count == 2
    assert scene.view_settings.view_transform == "AgX"
    assert bpy.ops.backrooms.render_preset(preset="eevee_preview") == {"FINISHED"}
    assert scene.render.engine == EEVEE and scene.eevee.taa_render_samples == 16
    assert (scene.render.resolution_x, scene.render.resolution_y) == (800, 450)
    assert scene.eevee.ray_tracing_options.resolution_scale == "2", "the preview puts Blender's default back"
    assert bpy.ops.backrooms.render_preset(preset="preview") == {"FINISHED"}
    assert scene.render.engine == "CYCLES" and scene.cycles.samples == 16


def test_every_preset_is_offered_with_its_engine(addon: ModuleType) -> None:
    presets = addon.core.render.RENDER_PRESETS
    assert {key: p.engine for key, p in presets.items()} == {
        "preview": "cycles",
        "final": "cycles",
        "eevee_preview": "eevee",
        "eevee_final": "eevee",
        "footage": "cycles",
        "eevee_footage": "eevee",
    }
    items = bpy.ops.backrooms.render_preset.get_rna_type().properties["preset"].enum_items
    assert [item.identifier for item in items] == list(presets)
    assert items["eevee_final"].name == "EEVEE Final" and "EEVEE" in items["eevee_final"].description


def test_a_bad_engine_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--engine", "luxcore", "--formats", "png"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--engine" in error and "luxcore" in error


def test_the_estimate_follows_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    seconds = {}
    for engine in ("cycles", "eevee"):
        assert main(["generate", "--engine", engine, "--formats", "png", "--width", "32", "--estimate"]) == 0
        seconds[engine] = float(capsys.readouterr().out.split('"seconds": ')[1].split(",")[0])
    assert seconds["cycles"] != seconds["eevee"]


@pytest.mark.slow
@pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module")
def test_generate_with_eevee_renders_the_png_in_eevee(tmp_path: Path, addon: ModuleType) -> None:
    flags = ["--seed", "3", "--width", "8", "--depth", "8", "--engine", "eevee", "--formats", "blend,png"]
    flags += ["--resolution", "64x36", "--samples", "4", "--out", str(tmp_path)]
    result = subprocess.run(
        [sys.executable, "-m", "backrooms_addon", "generate", *flags], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with Image.open(tmp_path / "level0.png") as image:
        assert image.size == (64, 36)
    # The .blend is saved from the scene the PNG was rendered from.
    with bpy.data.libraries.load(str(tmp_path / "level0.blend")) as (source, loaded):
        loaded.scenes = source.scenes[:1]
    scene = loaded.scenes[0]
    try:
        assert scene.render.engine == EEVEE and scene.eevee.taa_render_samples == 4
        assert (scene.render.resolution_x, scene.render.resolution_y) == (64, 36)
    finally:
        bpy.data.scenes.remove(scene)


def test_info_lists_the_engines_and_each_presets_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["engines"] == ["cycles", "eevee"]
    assert info["render_presets"]["eevee_final"]["engine"] == "eevee"
    assert info["render_presets"]["final"]["engine"] == "cycles"
