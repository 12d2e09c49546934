"""Building one level and writing its files, each complete before it gets its final name."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..core.plan import LevelPlan, plan_level
from ..core.render import RENDER_PRESETS
from .batch import PARTIAL_MARKER, Job, Task

# Lines a worker process prints for its parent start with this; Blender's own output does not.
RECORD_PREFIX = "BACKROOMS-RECORD "
# The order files are written in: the .blend and the exports before the slow render.
WRITE_ORDER = ("json", "blend", "glb", "usd", "png")


def atomically(final: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary name beside `final` (same suffix, for the exporters' sake), then
    rename: a killed run never leaves a truncated file under a final name."""
    temporary = final.with_name(f".{final.stem}{PARTIAL_MARKER}{os.getpid()}{final.suffix}")
    try:
        write(temporary)
        os.replace(temporary, final)
    finally:
        if temporary.exists():
            temporary.unlink()


def build_level(job: Job, task: Task) -> dict[str, Any]:
    """Build seed `task.seed` and write its missing files; a record for the manifest, never raises."""
    started = time.perf_counter()
    record: dict[str, Any] = {"seed": task.seed, "status": "ok", "files": {}, "timings": {}}
    try:
        spec = job.spec(task.seed)
        record["spec"] = spec.to_dict()
        job.out.mkdir(parents=True, exist_ok=True)
        plan = _build(job, spec, needs_blender=task.formats != ("json",))
        record["layout_sha256"] = plan.layout.digest()
        record["faces"], record["fixtures"] = plan.face_count(), len(plan.fixtures)
        record["timings"]["build"] = round(time.perf_counter() - started, 3)
        for fmt in (f for f in WRITE_ORDER if f in task.formats):
            began = time.perf_counter()
            path = job.path(task.seed, fmt)
            atomically(path, _writer(fmt, job, plan))
            record["files"][fmt] = {"path": path.name, "bytes": path.stat().st_size}
            record["timings"][fmt] = round(time.perf_counter() - began, 3)
    except Exception as error:  # one failing level is reported and the others go on
        record["status"] = "failed"
        record["error"] = f"{type(error).__name__}: {error}"
        record["traceback"] = traceback.format_exc(limit=6)
    record["timings"]["total"] = round(time.perf_counter() - started, 3)
    return record


def _build(job: Job, spec: Any, needs_blender: bool) -> LevelPlan:
    if not needs_blender:  # the layout alone needs no Blender
        return plan_level(spec)
    import bpy

    from .. import api
    from ..realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    level = api.generate(spec, scene=bpy.context.scene)
    output.apply_render_preset(bpy.context.scene, RENDER_PRESETS[job.render], job.samples, job.resolution)
    return level.plan


def _writer(fmt: str, job: Job, plan: LevelPlan) -> Callable[[Path], None]:
    def write_json(path: Path) -> None:
        path.write_text(json.dumps(plan.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")

    if fmt == "json":
        return write_json
    import bpy

    from ..realize import output
    from ..realize.gltf import export_game_glb

    scene = bpy.context.scene
    writers: dict[str, Callable[[Path], None]] = {
        "blend": output.save_blend,
        "glb": lambda path: export_game_glb(path, scene, draco=job.draco, collision=job.collision),
        "usd": output.export_usd,
        "png": lambda path: output.render_png(scene, path),
    }
    return writers[fmt]


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """The worker end of a batch: a Job line, then Task lines; a record line for each task.

    Runs in a process that imported Blender once and builds level after level.
    """
    job = Job.from_json(stdin.readline())
    for line in stdin:
        data = json.loads(line)
        record = build_level(job, Task(data["seed"], tuple(data["formats"])))
        stdout.write(RECORD_PREFIX + json.dumps(record) + "\n")
        stdout.flush()
    return 0
