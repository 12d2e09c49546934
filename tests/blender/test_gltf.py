"""export_game_glb: a valid glb with embedded textures, lightmap UVs, lights and -colonly collision."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER, blender_command
from PIL import Image

from backrooms_addon.core.recipes import Look, linear_color

pytestmark = pytest.mark.slow

SCRIPT = ROOT / "tests" / "blender" / "scripts" / "export_game.py"
VALIDATOR = ROOT / "tools" / "gltf" / "validate.mjs"
PIECES = [f"{column},{row}" for row in range(2) for column in range(3)]  # the script's 24 x 16 cells
TEXTURES = {
    "wallpaper_color", "wallpaper_roughness", "wallpaper_normal", "baseboard_color", "baseboard_normal",
    "carpet_color", "carpet_roughness", "carpet_normal", "ceiling_tile_color", "ceiling_tile_normal",
    "fixture_diffuser_color", "fixture_diffuser_glow",
}  # fmt: skip
COMPONENTS = {5121: np.uint8, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


@dataclass
class Glb:
    """A .glb's JSON and binary chunk, with accessors read as numpy arrays."""

    gltf: dict
    binary: bytes

    @classmethod
    def read(cls, path: Path) -> Glb:
        data = path.read_bytes()
        magic, version, length = struct.unpack_from("<4sII", data, 0)
        assert magic == b"glTF" and version == 2 and length == len(data)
        json_length, json_type = struct.unpack_from("<I4s", data, 12)
        assert json_type == b"JSON"
        bin_length, bin_type = struct.unpack_from("<I4s", data, 20 + json_length)
        assert bin_type == b"BIN\x00"
        start = 28 + json_length
        return cls(json.loads(data[20 : 20 + json_length]), data[start : start + bin_length])

    def view(self, index: int) -> bytes:
        view = self.gltf["bufferViews"][index]
        offset = view.get("byteOffset", 0)
        return self.binary[offset : offset + view["byteLength"]]

    def accessor(self, index: int) -> np.ndarray:
        accessor = self.gltf["accessors"][index]
        view = self.gltf["bufferViews"][accessor["bufferView"]]
        assert "byteStride" not in view, "tightly packed"
        dtype, width = COMPONENTS[accessor["componentType"]], WIDTHS[accessor["type"]]
        offset = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
        values = np.frombuffer(self.binary, dtype, accessor["count"] * width, offset)
        return values.reshape(accessor["count"], width) if width > 1 else values

    def node(self, name: str) -> dict:
        return next(node for node in self.gltf["nodes"] if node["name"] == name)

    def triangles(self, node: dict) -> np.ndarray:
        """(n, 3, 3) triangle corners in the glTF frame (y up), the node's translation applied."""
        assert "rotation" not in node and "scale" not in node, "level pieces are only moved"
        mesh = self.gltf["meshes"][node["mesh"]]
        parts = []
        for primitive in mesh["primitives"]:
            positions = self.accessor(primitive["attributes"]["POSITION"]).astype(np.float64)
            parts.append(positions[self.accessor(primitive["indices"]).reshape(-1, 3)])
        return np.concatenate(parts) + np.asarray(node.get("translation", [0.0, 0.0, 0.0]))

    def image(self, name: str) -> Image.Image:
        image = next(image for image in self.gltf["images"] if image["name"] == name)
        return Image.open(io.BytesIO(self.view(image["bufferView"])))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gltf")
    result = subprocess.run(blender_command(SCRIPT, str(out)), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert report["plain_error"] is None, report["plain_error"]
    return out, report


@pytest.fixture(scope="module")
def glb(exported: tuple[Path, dict]) -> Glb:
    return Glb.read(exported[0] / "game.glb")


def _validate(path: Path) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed for the glTF validator: run tools/setup.sh"
    assert (VALIDATOR.parent / "node_modules" / "gltf-validator").is_dir(), "run tools/setup.sh (npm ci)"
    result = subprocess.run([node, str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert (result.returncode == 1) == (report["issues"]["numErrors"] > 0)
    return report


def _errors(report: dict) -> list[dict]:
    return [message for message in report["issues"]["messages"] if message["severity"] == 0]


def test_the_validator_reports_no_errors(exported: tuple[Path, dict]) -> None:
    report = _validate(exported[0] / "game.glb")
    assert report["issues"]["numErrors"] == 0, _errors(report)[:10]
    assert report["info"]["drawCallCount"] > 0


def test_the_validator_catches_a_broken_file(exported: tuple[Path, dict], tmp_path: Path) -> None:
    """The check above can fail: an index pointing past the end of its buffer is an error."""
    glb = Glb.read(exported[0] / "game.glb")
    glb.gltf["accessors"][0]["count"] *= 1000
    text = json.dumps(glb.gltf).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(glb.binary), b"BIN\x00")
    broken = tmp_path / "broken.glb"
    broken.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(body) + len(glb.binary)) + body + glb.binary)
    assert _validate(broken)["issues"]["numErrors"] > 0


def test_draco_compresses_where_the_exporter_has_it(exported: tuple[Path, dict], glb: Glb) -> None:
    out, report = exported
    if report["draco_error"] is not None:
        # The bpy 4.2 wheel ships no Draco library: the option fails, saying so, and writes nothing.
        assert report["draco_error"].startswith("BackroomsError: draco:"), report["draco_error"]
        assert not (out / "game-draco.glb").exists()
        assert not (bpy.app.version >= (5, 0) and not RUNNING_INSIDE_BLENDER), "the bpy 5.0 wheel has Draco"
        return
    draco = Glb.read(out / "game-draco.glb")
    assert "KHR_draco_mesh_compression" in draco.gltf["extensionsRequired"]
    primitives = [p for mesh in draco.gltf["meshes"] for p in mesh["primitives"]]
    assert all("KHR_draco_mesh_compression" in p["extensions"] for p in primitives)
    assert len(draco.binary) < 0.9 * len(glb.binary)
    assert _validate(out / "game-draco.glb")["issues"]["numErrors"] == 0


def test_one_node_per_piece_and_kind_and_nothing_of_the_users(glb: Glb) -> None:
    names = {node["name"] for node in glb.gltf["nodes"]}
    for kind in ("walls", "floor", "ceiling", "fixtures"):
        pieces = {name.removeprefix(f"Backrooms {kind} ") for name in names if name.startswith(f"Backrooms {kind} ")}
        assert pieces == set(PIECES), kind
        assert all("mesh" in glb.node(f"Backrooms {kind} {piece}") for piece in PIECES)
    assert "Backrooms camera" in names and "Cube" not in names


def test_textures_are_embedded_once_each(glb: Glb) -> None:
    images = glb.gltf["images"]
    assert all("bufferView" in image and "uri" not in image for image in images), "inside the .glb"
    assert all(image["mimeType"] == "image/png" for image in images)
    assert sorted(image["name"] for image in images) == sorted(TEXTURES), "one image per texture used"
    used = {texture["source"] for texture in glb.gltf["textures"]}
    assert used == set(range(len(images)))
    for image in images:
        assert glb.image(image["name"]).size == (256, 256)


def test_materials_hold_the_recipes_and_the_look(glb: Glb, exported: tuple[Path, dict]) -> None:
    materials = {material["name"]: material for material in glb.gltf["materials"]}
    assert not any(re.search(r"\.\d{3}$", name) for name in materials), "the Blender materials' own names"
    tint = exported[1]["spec"]["wallpaper_tint"]
    wallpaper = materials[f"Backrooms Wallpaper ({Look(tint).key()})"]
    pbr = wallpaper["pbrMetallicRoughness"]
    assert {"baseColorTexture", "metallicRoughnessTexture"} <= set(pbr) and "normalTexture" in wallpaper
    # The texture's average colour times the factor is the level's wallpaper tint.
    pixels = np.asarray(glb.image("wallpaper_color").convert("RGB"), np.float64) / 255
    linear = np.where(pixels <= 0.04045, pixels / 12.92, ((pixels + 0.055) / 1.055) ** 2.4)
    average = linear.reshape(-1, 3).mean(axis=0) * pbr["baseColorFactor"][:3]
    np.testing.assert_allclose(average, linear_color(tint)[:3], rtol=0.08)
    carpet = next(m for name, m in materials.items() if name.startswith("Backrooms Carpet"))
    assert "metallicRoughnessTexture" in carpet["pbrMetallicRoughness"]
    assert "extensions" not in carpet["normalTexture"], "the carpet's tiling is in its UVs"
    lit = [m for name, m in materials.items() if name.startswith("Backrooms Troffer Diffuser")]
    assert len(lit) >= 2, "the lit diffuser and its flicker variants"
    for material in lit:
        glow = glb.gltf["textures"][material["emissiveTexture"]["index"]]["source"]
        assert glb.gltf["images"][glow]["name"] == "fixture_diffuser_glow"
        assert material["extensions"]["KHR_materials_emissive_strength"]["emissiveStrength"] == pytest.approx(6.0)
    assert not any(material.get("doubleSided") for material in materials.values()), "back faces culled"


def _level_primitives(glb: Glb) -> list[dict]:
    nodes = [n for n in glb.gltf["nodes"] if "mesh" in n and not n["name"].endswith("-colonly")]
    return [p for node in nodes for p in glb.gltf["meshes"][node["mesh"]]["primitives"]]


def test_lightmap_uvs_are_the_second_uv_set(glb: Glb) -> None:
    for primitive in _level_primitives(glb):
        attributes = primitive["attributes"]
        assert {"TEXCOORD_0", "TEXCOORD_1", "NORMAL", "TANGENT"} <= set(attributes)
        lightmap = glb.accessor(attributes["TEXCOORD_1"])
        assert lightmap.min() >= 0.0 and lightmap.max() <= 1.0, "lightmap UVs pack into the unit square"
    walls = glb.gltf["meshes"][glb.node("Backrooms walls 0,0")["mesh"]]["primitives"][0]["attributes"]
    assert np.ptp(glb.accessor(walls["TEXCOORD_0"])[:, 0]) > 2.0, "TEXCOORD_0 is the texture UVs, in metres"


def test_only_triangles(glb: Glb) -> None:
    primitives = [p for mesh in glb.gltf["meshes"] for p in mesh["primitives"]]
    assert primitives
    for primitive in primitives:
        assert primitive.get("mode", 4) == 4, "TRIANGLES"
        indices = glb.accessor(primitive["indices"])
        assert len(indices) % 3 == 0 and len(indices) > 0


def test_lamps_are_punctual_spot_lights(glb: Glb, exported: tuple[Path, dict]) -> None:
    assert "KHR_lights_punctual" in glb.gltf["extensionsUsed"]
    lights = glb.gltf["extensions"]["KHR_lights_punctual"]["lights"]
    lamp_nodes = [node for node in glb.gltf["nodes"] if "KHR_lights_punctual" in node.get("extensions", {})]
    lamp_objects = [name for name in exported[1]["before"]["objects"] if name.startswith("Backrooms lamp ")]
    assert sorted(node["name"] for node in lamp_nodes) == sorted(lamp_objects) and lamp_objects
    for light in lights:
        assert light["type"] == "spot" and light["intensity"] > 0
        assert 0 <= light["spot"].get("innerConeAngle", 0) < light["spot"]["outerConeAngle"] <= math.pi / 2
    assert {light["name"] for light in lights} >= {"Backrooms troffer"}


def test_collision_nodes_per_piece_with_fewer_faces(glb: Glb) -> None:
    collision = sorted(node["name"] for node in glb.gltf["nodes"] if "collision" in node["name"])
    assert collision == sorted(f"Backrooms collision {piece}-colonly" for piece in PIECES)
    for piece in PIECES:
        node = glb.node(f"Backrooms collision {piece}-colonly")
        mesh = glb.gltf["meshes"][node["mesh"]]
        assert all("material" not in primitive for primitive in mesh["primitives"])
        kinds = ("walls", "floor", "ceiling")
        render = sum(len(glb.triangles(glb.node(f"Backrooms {kind} {piece}"))) for kind in kinds)
        assert len(glb.triangles(node)) < render


def test_collision_walls_cover_the_walls_below_the_doors(glb: Glb, exported: tuple[Path, dict]) -> None:
    """Every wall vertex below door height lies on an upright collision triangle of its piece."""
    door = exported[1]["spec"]["door_height"]
    for piece in PIECES:
        walls = glb.triangles(glb.node(f"Backrooms walls {piece}")).reshape(-1, 3)
        walls = walls[walls[:, 1] < door - 1e-3]  # glTF is y up
        solid = glb.triangles(glb.node(f"Backrooms collision {piece}-colonly"))
        upright = solid[np.ptp(solid[:, :, 1], axis=1) > 1.0]
        # Upright axis-aligned triangles: a point within one's bounding box lies on it or its twin.
        lo, hi = upright.min(axis=1) - 1e-4, upright.max(axis=1) + 1e-4
        on = ((walls[:, None] >= lo[None]) & (walls[:, None] <= hi[None])).all(axis=2).any(axis=1)
        assert on.all(), f"piece {piece}: {(~on).sum()} wall vertices off the collision walls"


def test_the_users_file_is_as_before(exported: tuple[Path, dict]) -> None:
    report = exported[1]
    before = report["before"]
    assert "Backrooms Level 0 (seed 7)" in before["collections"] and "User material" in before["materials"]
    for case in ("after_plain", "after_draco", "after_failing"):
        changed = [key for key in before if report[case][key] != before[key]]
        assert not changed, f"{case}: {changed}"
    assert "IsADirectoryError" in report["failing_error"], "that export failed, after the stand-ins were made"
    assert report["after_elsewhere"] == report["before_elsewhere"]


def test_a_scene_other_than_the_windows_is_exported(exported: tuple[Path, dict], glb: Glb) -> None:
    out, report = exported
    assert report["elsewhere_error"] is None, report["elsewhere_error"]
    assert report["after_elsewhere"]["window_scene"] == "Elsewhere"
    elsewhere = Glb.read(out / "elsewhere.glb")
    assert [n["name"] for n in elsewhere.gltf["nodes"]] == [n["name"] for n in glb.gltf["nodes"]]


def test_a_scene_without_a_level_is_refused(addon: ModuleType, scene: bpy.types.Scene, tmp_path: Path) -> None:
    gltf = __import__(f"{addon.__name__}.realize.gltf", fromlist=["export_game_glb"])
    with pytest.raises(addon.core.BackroomsError, match="no Backrooms level"):
        gltf.export_game_glb(tmp_path / "empty.glb", scene)
    assert not (tmp_path / "empty.glb").exists()


def test_an_older_levels_collision_is_refused_and_everything_put_back(
    addon: ModuleType, api: ModuleType, scene: bpy.types.Scene, tmp_path: Path
) -> None:
    """Collision is rebuilt from the stored spec: a level made by another generator version would
    not match it. The refusal comes after the stand-ins are made, so they must all go again."""
    level = api.generate(seed=2, width=8, depth=8)
    level.collection["backrooms_generator"] = addon.GENERATOR_VERSION - 1
    names = {kind: sorted(b.name for b in getattr(bpy.data, kind)) for kind in ("materials", "lights", "objects")}
    slots = {obj.name: [s.material.name for s in obj.material_slots] for obj in level.objects}
    lamps = {obj.name: obj.data.name for obj in level.objects if obj.type == "LIGHT"}
    gltf = __import__(f"{addon.__name__}.realize.gltf", fromlist=["export_game_glb"])
    with pytest.raises(addon.core.BackroomsError, match="regenerate"):
        gltf.export_game_glb(tmp_path / "old.glb", scene)
    assert {kind: sorted(b.name for b in getattr(bpy.data, kind)) for kind in names} == names
    assert {obj.name: [s.material.name for s in obj.material_slots] for obj in level.objects} == slots
    assert {obj.name: obj.data.name for obj in level.objects if obj.type == "LIGHT"} == lamps
    assert lamps and all(obj.data.type == "AREA" for obj in level.objects if obj.type == "LIGHT")


def test_the_file_needs_no_texture_transform(glb: Glb) -> None:
    """Godot 3 ignores KHR_texture_transform without a word: the tiling is baked into the UVs."""
    assert "KHR_texture_transform" not in glb.gltf.get("extensionsUsed", [])
    assert "extensionsRequired" not in glb.gltf, "nothing a reader must understand (a reader without lights has none)"
    assert "KHR_lights_punctual" in glb.gltf["extensionsUsed"]
    assert "KHR_texture_transform" not in json.dumps(glb.gltf["materials"])


def test_the_carpet_uvs_hold_its_tiling(glb: Glb, exported: tuple[Path, dict]) -> None:
    """Each glTF corner of the carpet has the Blender UVs times the carpet's tiling (v flipped)."""
    scale = _tiling_scale("carpet")
    expected: dict[tuple, list] = {}
    for x, y, z, u, v, recipe in exported[1]["floor_loops"]:
        if recipe == "carpet":
            expected.setdefault((round(x, 3), round(z, 3), round(-y, 3)), []).append((u * scale, 1 - v * scale))
    assert expected and scale != 1.0
    node = glb.node("Backrooms floor 0,0")
    material = next(i for i, m in enumerate(glb.gltf["materials"]) if m["name"].startswith("Backrooms Carpet"))
    (primitive,) = [p for p in glb.gltf["meshes"][node["mesh"]]["primitives"] if p.get("material") == material]
    positions = glb.accessor(primitive["attributes"]["POSITION"])
    texcoords = glb.accessor(primitive["attributes"]["TEXCOORD_0"])
    for position, uv in zip(positions, texcoords, strict=True):
        choices = np.asarray(expected[tuple(round(float(c), 3) for c in position)])
        assert np.abs(choices - uv).max(axis=1).min() < 1e-4, (position, uv, choices)
    assert exported[1]["uvs_after"] == exported[1]["uvs_before"], "the scene's UVs are as they were"


def _tiling_scale(recipe: str) -> float:
    from backrooms_addon.core.recipes import load_recipes

    node = next(n for n in load_recipes()[recipe].nodes.values() if n.type == "ShaderNodeMapping")
    scale = node.inputs["Scale"]
    assert scale[0] == scale[1]
    return float(scale[0])


def test_every_lamp_of_a_style_goes_out_at_its_steady_power(exported: tuple[Path, dict]) -> None:
    out, report = exported
    level1 = report["level1"]
    assert level1["error"] is None, level1["error"]
    assert len(set(level1["energies"].values())) > 1, "a flickering lamp is dimmed on the exported frame"
    lights = Glb.read(out / "level1.glb").gltf["extensions"]["KHR_lights_punctual"]["lights"]
    assert any("flicker" in light["name"] for light in lights) and any(
        light["name"] == "Backrooms troffer" for light in lights
    )
    assert len({round(light["intensity"], 3) for light in lights}) == 1, lights
