"""Generate a level, export it with export_game_glb (plain, Draco, and one that fails), report as JSON.

Runs in its own process: the bpy 4.2 module can crash at interpreter exit after a glTF export, so
this script leaves with os._exit once its report is written, as `python -m backrooms_addon` does.
Usage: export_game.py OUT_DIR   (writes game.glb, game-draco.glb when Draco works, elsewhere.glb,
level1.glb and report.json)
"""

import json
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import bpy  # noqa: E402

from backrooms_addon import api  # noqa: E402
from backrooms_addon.core import LevelSpec  # noqa: E402
from backrooms_addon.realize.gltf import export_game_glb  # noqa: E402

# Small pieces (one chunk of 8 cells) so that the level has six of them; a tint of its own.
SPEC = LevelSpec(seed=7, width=24, depth=16, chunk_size=8, piece_chunks=1, room_max=8, wallpaper_tint="#B8C070")


def snapshot() -> dict:
    """What a user would notice: datablocks, names, material slots, light data, the scene."""
    kinds = ("objects", "meshes", "materials", "lights", "images", "collections", "node_groups", "actions")
    state: dict = {kind: sorted(block.name for block in getattr(bpy.data, kind)) for kind in kinds}
    state["slots"] = {
        obj.name: [(slot.link, slot.material.name if slot.material else None) for slot in obj.material_slots]
        for obj in bpy.data.objects
    }
    state["object_data"] = {obj.name: obj.data.name if obj.data else None for obj in bpy.data.objects}
    state["material_users"] = {m.name: m.users for m in bpy.data.materials}
    state["scene_objects"] = sorted(obj.name for obj in bpy.context.scene.objects)
    state["window_scene"] = bpy.context.window.scene.name if bpy.context.window else None
    state["selected"] = sorted(obj.name for obj in bpy.context.view_layer.objects if obj.select_get())
    return state


def level_uvs() -> str:
    """A digest of every level mesh's texture UVs: the export must leave them as they were."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256()
    for mesh in sorted((m for m in bpy.data.meshes if "UVMap" in m.uv_layers), key=lambda m: m.name):
        uvs = np.empty(len(mesh.uv_layers["UVMap"].data) * 2, np.float32)
        mesh.uv_layers["UVMap"].data.foreach_get("uv", uvs)
        digest.update(mesh.name.encode() + uvs.tobytes())
    return digest.hexdigest()


def floor_loops(name: str) -> list[list]:
    """[x, y, z, u, v, recipe] for every corner of a floor piece, as Blender holds it."""
    mesh = bpy.data.objects[name].data
    rows = []
    for polygon in mesh.polygons:
        recipe = mesh.materials[polygon.material_index].get("backrooms_recipe")
        for loop in polygon.loop_indices:
            position = mesh.vertices[mesh.loops[loop].vertex_index].co
            rows.append([*position, *mesh.uv_layers["UVMap"].data[loop].uv, recipe])
    return rows


def level1_lamps(out: Path) -> dict:
    """Level 1 with flickering lamps, exported at a frame where the flicker dims them."""
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    level = api.generate(preset="LEVEL_1", seed=4, width=24, depth=16, flicker_fraction=0.6, dead_fraction=0.0)
    lights = {obj.data for obj in level.objects if obj.type == "LIGHT"}
    energies = {}
    for frame in range(1, 250):
        bpy.context.scene.frame_set(frame)
        energies = {light.name: light.energy for light in lights}
        if len(set(energies.values())) > 1:
            break  # a flickering lamp is dimmed on this frame
    error = attempt(out / "level1.glb")
    return {"error": error, "energies": energies, "frame": bpy.context.scene.frame_current}


def attempt(path: Path, scene: bpy.types.Scene | None = None, **options: bool) -> str | None:
    try:
        export_game_glb(path, scene or bpy.context.scene, **options)
    except Exception as error:  # reported, and the test decides
        return f"{type(error).__name__}: {error}\n{traceback.format_exc()}"
    return None


def main(out: Path) -> None:
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    api.generate(SPEC)
    # A user's own object with a material of its own, next to the level.
    bpy.ops.mesh.primitive_cube_add(location=(-5.0, -5.0, 1.0))
    bpy.context.object.data.materials.append(bpy.data.materials.new("User material"))
    report: dict = {"blender": list(bpy.app.version), "spec": SPEC.to_dict(), "before": snapshot()}
    report["floor_loops"] = floor_loops("Backrooms floor 0,0")
    report["uvs_before"] = level_uvs()
    report["plain_error"] = attempt(out / "game.glb")
    report["after_plain"] = snapshot()
    report["uvs_after"] = level_uvs()
    report["draco_error"] = attempt(out / "game-draco.glb", draco=True)
    report["after_draco"] = snapshot()
    # A folder where the file should go: the exporter fails when it writes, after the stand-ins.
    (out / "folder.glb").mkdir()
    report["failing_error"] = attempt(out / "folder.glb")
    report["after_failing"] = snapshot()
    # The window shows another scene: the level's scene is exported all the same, and the window
    # keeps showing the other one.
    level_scene = bpy.context.scene
    bpy.context.window.scene = bpy.data.scenes.new("Elsewhere")
    report["before_elsewhere"] = snapshot()
    report["elsewhere_error"] = attempt(out / "elsewhere.glb", scene=level_scene)
    report["after_elsewhere"] = snapshot()
    report["level1"] = level1_lamps(out)
    (out / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[-1]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
