"""`python -m backrooms_addon generate`: the four outputs, checked for what is inside them."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image

from backrooms_addon.core.version import GENERATOR_VERSION

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module"),
]

ARGS = ["--seed", "7", "--width", "12", "--depth", "10", "--samples", "8", "--resolution", "240x136"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli")
    command = [sys.executable, "-m", "backrooms_addon", "generate", *ARGS, "--out", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "level seed 7:" in result.stdout
    return out


def test_writes_the_four_files(outputs: Path) -> None:
    assert sorted(p.name for p in outputs.iterdir()) == ["level0.blend", "level0.glb", "level0.json", "level0.png"]


def test_layout_json_is_the_plan(outputs: Path, addon: ModuleType) -> None:
    document = json.loads((outputs / "level0.json").read_text())
    spec = addon.core.LevelSpec(seed=7, width=12, depth=10)
    plan = addon.core.plan_level(spec)
    assert document["spec"] == spec.to_dict()
    assert document["layout_sha256"] == plan.layout.digest()
    assert document["generator_version"] == addon.GENERATOR_VERSION


def _glb_json(path: Path) -> dict:
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and version == 2 and length == len(data)
    chunk_length, chunk_type = struct.unpack_from("<I4s", data, 12)
    assert chunk_type == b"JSON"
    return json.loads(data[20 : 20 + chunk_length])


def test_glb_has_the_level_meshes_with_uvs(outputs: Path) -> None:
    gltf = _glb_json(outputs / "level0.glb")
    render = [mesh for mesh in gltf["meshes"] if not mesh["name"].endswith("-colonly")]
    kinds = {mesh["name"].split(" Backrooms ")[1].split()[0] for mesh in render}
    assert kinds == {"walls", "floor", "ceiling", "fixtures"}
    collision = [mesh["name"] for mesh in gltf["meshes"] if mesh["name"].endswith("-colonly")]
    assert collision == ["Backrooms collision 0,0-colonly"], "one collision mesh for the one piece"
    for mesh in render:
        for primitive in mesh["primitives"]:
            assert primitive.get("mode", 4) == 4
            attributes = primitive["attributes"]
            assert {"POSITION", "NORMAL", "TEXCOORD_0", "TEXCOORD_1"} <= set(attributes), "UVs and lightmap UVs"
    assert any("camera" in node for node in gltf["nodes"])
    walls = next(node for node in gltf["nodes"] if node["name"] == "Backrooms walls 0,0")
    assert walls["extras"]["backrooms_generator"] == GENERATOR_VERSION, "the generator version travels with the file"
    assert {m["name"] for m in gltf["materials"]} >= {"Backrooms Wallpaper", "Backrooms Carpet"}


def test_blend_file_holds_the_tagged_level(outputs: Path) -> None:
    with bpy.data.libraries.load(str(outputs / "level0.blend")) as (source, _):
        objects, collections = list(source.objects), list(source.collections)
    assert {"Backrooms walls 0,0", "Backrooms floor 0,0", "Backrooms ceiling 0,0", "Backrooms camera"} <= set(objects)
    # The level, and the troffer models its pieces instance (in no scene: only their instances show).
    assert sorted(collections) == ["Backrooms Level 0 (seed 7)", "Backrooms troffers (Backrooms Level 0 (seed 7))"]


def test_render_looks_like_a_lit_yellow_room(outputs: Path) -> None:
    image = np.asarray(Image.open(outputs / "level0.png").convert("RGB"), np.float64) / 255
    assert image.shape == (136, 240, 3)
    r, g, b = image[..., 0].mean(), image[..., 1].mean(), image[..., 2].mean()
    assert 0.15 < (r + g + b) / 3 < 0.85, "neither black nor blown out"
    assert r > b + 0.08 and g > b + 0.05, f"yellow walls and beige carpet dominate (r={r:.2f} g={g:.2f} b={b:.2f})"
    assert image.std() > 0.05, "walls, floor and ceiling are distinguishable"
    # Most coloured pixels are in the yellow hue band (about 35 to 70 degrees): the Lobby.
    hsv = np.asarray(Image.open(outputs / "level0.png").convert("HSV"), np.float64)
    hue, saturation = hsv[..., 0] * 360 / 255, hsv[..., 1] / 255
    coloured = saturation > 0.15
    assert coloured.mean() > 0.3
    yellow = (hue > 35) & (hue < 70)
    assert (yellow & coloured).sum() > 0.7 * coloured.sum()
    dark, blown = (image.max(axis=2) < 0.03).mean(), (image.min(axis=2) > 0.97).mean()
    assert dark < 0.25 and blown < 0.1
