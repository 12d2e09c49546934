"""Export a freshly generated level with planning switched off, then once more with its plan forgotten.

Runs in its own process (see export_game.py: the bpy 4.2 module can crash at exit after a glTF
export). Usage: export_planned.py OUT_DIR   (writes fresh.glb, reopened.glb and report.json)
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
from backrooms_addon.core import LevelSpec, plan  # noqa: E402
from backrooms_addon.core.collision import collision_mesh  # noqa: E402
from backrooms_addon.realize import gltf, level  # noqa: E402

SPEC = LevelSpec(seed=5, width=24, depth=16, chunk_size=8, piece_chunks=1, room_max=8, floors=2, pitfall_density=0.2)


def expected(built: plan.LevelPlan) -> dict:
    """Per collision object: its face count and bounding box, from the plan's collision mesh."""
    found = {}
    for piece, part in collision_mesh(built).split():
        row, column = divmod(piece, built.pieces.columns)
        found[f"Backrooms collision {column},{row}-colonly"] = shape(part.face_count, part.vertices.tolist())
    return found


def shape(faces: int, points: list) -> dict:
    xs, ys, zs = zip(*points, strict=True)
    return {"faces": faces, "box": [round(v, 3) for v in (min(xs), min(ys), min(zs), max(xs), max(ys), max(zs))]}


def exported(monkey: dict) -> dict:
    """The -colonly objects the export makes, caught before the export removes them again."""
    made = gltf._collision_object

    def catch(base: str, part, placed_like, export) -> None:  # type: ignore[no-untyped-def]
        monkey[f"{base}-colonly"] = shape(part.face_count, part.vertices.tolist())
        made(base, part, placed_like, export)

    return {"_collision_object": catch}


def attempt(path: Path, planner) -> dict:  # type: ignore[no-untyped-def]
    caught: dict = {}
    saved = {name: getattr(gltf, name) for name in ("plan_level", "_collision_object")}
    gltf.plan_level = planner
    gltf._collision_object = exported(caught)["_collision_object"]
    try:
        gltf.export_game_glb(path, bpy.context.scene)
        error = None
    except Exception as failure:  # reported, and the test decides
        error = f"{type(failure).__name__}: {failure}\n{traceback.format_exc()}"
    finally:
        for name, value in saved.items():
            setattr(gltf, name, value)
    return {"error": error, "collision": caught}


def main(out: Path) -> None:
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    built = api.generate(SPEC).plan
    calls: list[str] = []

    def refuse(spec: LevelSpec, troffer=None) -> plan.LevelPlan:  # type: ignore[no-untyped-def]
        calls.append("fresh")
        raise AssertionError("the export planned the level again")

    report = {"expected": expected(built), "fresh": attempt(out / "fresh.glb", refuse)}

    def count(spec: LevelSpec, troffer=None) -> plan.LevelPlan:  # type: ignore[no-untyped-def]
        calls.append("reopened")
        return plan.plan_level(spec, troffer)

    level._PLANS.clear()  # as after saving the file and opening it again in a new session
    report["reopened"] = attempt(out / "reopened.glb", count)
    report["calls"] = calls
    (out / "report.json").write_text(json.dumps(report))


if __name__ == "__main__":
    try:
        main(Path(sys.argv[-1]))
    except Exception:
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)
