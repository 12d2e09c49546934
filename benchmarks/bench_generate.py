"""End-to-end generation in Blender against the raw upload of the same arrays, per level size.

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_generate.py`
(or `make bench`). Each size runs in a fresh process so that peak memory is its own. Columns:
- end to end: from a spec to finished, tagged objects in a collection (api.generate), best of N,
  in a new file (which also needs materials, textures, flicker and hum once: appended from the
  run's own cache folder after the first build fills it) and when regenerating in the same file
  (replacing the level, reusing all of those);
- raw upload: creating the meshes and filling them from the plan's arrays with foreach_set
  (positions, corners, edges, polygons, material indices, both UV sets), nothing else: the least
  Blender needs to receive this geometry. Measured three ways: through the generic attributes
  with each face's edges written, each mesh a copy of a template that has its attributes (the
  fastest way, which the add-on uses); the attributes added to each mesh without the edges,
  which mesh.update() then finds by hashing every corner (the fastest way known when the targets
  were set); and through the classic collections (vertices.co, loops.vertex_index, uv_layers);
- ratio: end to end / raw upload; plan: the pure-numpy part of end to end, in one thread (the
  layout, then each kind's meshes finished and split into pieces a block at a time, as the
  add-on's worker thread does while Blender receives the blocks before);
- layout: the part of the plan that comes before any mesh (each floor's layout carved, joined
  into one area and walled, as plan_level does first): the walls depend on all of it;
- Blender's part: regenerating from a plan whose meshes are all finished already (the same
  steps as regenerate, with nothing left for the worker threads): what end to end would come to
  if the planning cost the main thread nothing, and its ratio to the raw upload;
- peak memory: the process's peak resident memory above what it used before generating, after
  building the first level (a regeneration briefly holds the old level and the new one); and the
  level alone: the same in a process that has built a level before, its one-time costs left out;
- walls process: the peak resident memory of the process that makes a one-floor level's walls
  (core/walls_process.py) above what it held once started, over the first build, and how long
  it took from being started to ready (importing numpy and the core). It is started and ready
  before any build here (a session's first build starts it, and makes its own walls
  meanwhile); with BACKROOMS_WALLS_PROCESS=0 there is none and the walls are made in threads, as
  before it, for a side-by-side run;
- objects: the level's objects; faces: the plan's (what a game export holds); uploaded: the faces
  Blender holds as mesh data (instanced troffers count once per variant, not once per fixture);
- depsgraph: the first evaluation of the scene after a build (view_layer.update()), which the
  viewport or a render does next: modifiers (the troffer instancer), bounds, the objects' data;
- first frame: Cycles (CPU) rendering a 64 x 36 frame at 1 sample of a level just built in a
  fresh process (a new Blender: generate, then render), the median of --frames such processes:
  scene export and BVH building, what a user waits for before the first pixel (bench_bvh.py).
Prints a Markdown table; nothing here is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(size: int, repeats: int) -> dict[str, float | None]:
    """Figures for one square level, in this process."""
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec, plan_level, walls_process

    spec = LevelSpec(seed=1, width=size, depth=size)
    # Started and ready before the first build, as for a user's second level (a session's first
    # build starts it and makes its own walls meanwhile); BACKROOMS_WALLS_PROCESS=0: none.
    walls = walls_process.shared()
    started = time.perf_counter()
    walls_ready = walls.start(wait=30)
    walls_start = time.perf_counter() - started  # starting it, until it has imported what it needs
    walls_before = _status_kib("VmRSS", walls.pid()) if walls_ready else 0
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    end_to_end: list[float] = []
    regenerate: list[float] = []
    plan_times: list[float] = []
    layout_times: list[float] = []
    for _ in range(repeats):
        # A fresh file each time: the first level in a file also builds its materials, textures,
        # flicker animation and hum, once.
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        started = time.perf_counter()
        level = api.generate(spec, scene=bpy.context.scene)
        end_to_end.append(time.perf_counter() - started)
        if len(end_to_end) == 1:  # peak memory of building one level, before any regeneration
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            walls_peak = _status_kib("VmHWM", walls.pid()) - walls_before if walls_ready else 0
        # Generating again in the same file replaces the level and reuses all of that.
        started = time.perf_counter()
        level = api.generate(spec.replace(seed=2), scene=bpy.context.scene)
        regenerate.append(time.perf_counter() - started)
        started = time.perf_counter()
        plan = plan_level(spec)
        for kind in plan.meshes.kinds_built():  # what the add-on's worker gives Blender, in one thread
            for block in plan.meshes.finished(kind, keep=False):
                block.split()
        plan_times.append(time.perf_counter() - started)
        layout_times.append(_layout_time(spec))
    uploaded = _uploaded_faces(bpy, level)
    alone = _level_alone_peak(bpy, api, spec)
    started = time.perf_counter()
    bpy.context.view_layer.update()  # the first evaluation of the level's objects
    depsgraph = time.perf_counter() - started
    # Last: the finished plans it builds from leave memory that the peaks above would reuse.
    api.generate(spec, scene=bpy.context.scene)
    blender_part = [_from_finished_plan(bpy, api, spec.replace(seed=3)) for _ in range(repeats)]
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    parts = [part for mesh in plan.meshes.values() for _, part in mesh.split()]
    upload = {name: _best_upload(bpy, parts, method, repeats) for name, method in UPLOADS.items()}
    return {
        "faces": level.plan.face_count(),
        "objects": len(level.objects),
        "uploaded": uploaded,
        "depsgraph": depsgraph,
        "end_to_end": min(end_to_end),
        "regenerate": min(regenerate),
        "plan": min(plan_times),
        "layout": min(layout_times),
        "blender_part": min(blender_part),
        "upload": upload["attributes"],
        "upload_found": upload["edges found"],
        "upload_classic": upload["collections"],
        "peak_mib": (peak - baseline) / 1024,
        "walls_mib": walls_peak / 1024 if walls_ready else None,
        "walls_start": walls_start if walls_ready else None,
        "alone_mib": alone,
    }


def _layout_time(spec) -> float:  # type: ignore[no-untyped-def]
    """Seconds plan_level spends on the floors' layouts (core/plan.py _story), before any mesh."""
    from backrooms_addon.core.plan import _story
    from backrooms_addon.core.registry import floor_features

    started = time.perf_counter()
    for floor in range(spec.floors):
        _story(spec, floor, floor_features(spec, floor))
    return time.perf_counter() - started


def _from_finished_plan(bpy, api, spec) -> float:  # type: ignore[no-untyped-def]
    """Seconds regenerating takes from a plan of `spec` planned and finished beforehand (its
    troffer model loaded, every kind's meshes read): Blender's part of a build alone."""
    from backrooms_addon.core import plan_level

    plan = plan_level(spec, api.load_troffer(api.troffer_kind(api.troffer_size(spec))))
    for kind in plan.meshes:
        plan.meshes[kind]
    started = time.perf_counter()
    api.run_steps(api._replace_level(plan, bpy.context.scene, new_level=False, keep_frame=False, keep=True))
    return time.perf_counter() - started


def _level_alone_peak(bpy, api, spec) -> float:  # type: ignore[no-untyped-def]
    """MiB of peak resident memory above the start of building one level in a new file, in a
    process that has built one before: what the level itself needs, the process's one-time costs
    (libraries, textures, kernels) left out. Linux resets the peak on writing 5 to clear_refs."""
    import gc

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    api.generate(spec, scene=bpy.context.scene)
    return (_status_kib("VmHWM") - before) / 1024


def _status_kib(field: str, pid: int | None = None) -> int:
    """A memory figure of this process (or process `pid`) from /proc, in KiB."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith(field)).split()[1])


def _uploaded_faces(bpy, level) -> int:  # type: ignore[no-untyped-def]
    """Faces of every mesh datablock the level's objects use, instanced ones included, each once."""
    meshes = {obj.data for obj in level.objects if obj.type == "MESH"}
    for obj in level.objects:
        for modifier in obj.modifiers:
            group = getattr(modifier, "node_group", None)
            for node in group.nodes if group is not None else ():  # the variants' Collection Info
                variants = getattr(node.inputs.get("Collection"), "default_value", None)
                meshes.update(o.data for o in (variants.objects if variants is not None else ()) if o.type == "MESH")
    return sum(len(mesh.polygons) for mesh in meshes)


def first_frame(size: int) -> float:
    """Seconds Cycles takes to render a tiny frame of a level just built in this (fresh) process:
    mostly the scene's export and its BVH build."""
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    api.generate(LevelSpec(seed=1, width=size, depth=size), scene=scene)
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=1, resolution=(64, 36))
    scene.cycles.use_denoising = False
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        output.render_png(scene, Path(folder) / "frame.png")
        return time.perf_counter() - started


def _upload_attributes(bpy, np, part, templates):  # type: ignore[no-untyped-def]
    """The fastest way known here, generic attributes with the edges written, each mesh copied
    from a template that has its attributes: the add-on's own upload, without objects."""
    from backrooms_addon.realize.mesh import mesh_from_arrays

    return mesh_from_arrays("raw", part, [], templates=templates)


def _upload_edges_found(bpy, np, part, templates):  # type: ignore[no-untyped-def]
    """The attributes added to each mesh, without the edges: mesh.update() finds them, hashing
    every corner (the fastest way when the targets were set)."""
    from backrooms_addon.realize.mesh import mesh_from_arrays

    return mesh_from_arrays("raw", part, [], write_edges=False)


def _upload_collections(bpy, np, part, templates):  # type: ignore[no-untyped-def]
    """The classic way: vertices.co, loops.vertex_index, polygons, uv_layers."""
    mesh = bpy.data.meshes.new("raw")
    loops = part.faces.size
    mesh.vertices.add(len(part.vertices))
    mesh.loops.add(loops)
    mesh.polygons.add(part.face_count)
    mesh.vertices.foreach_set("co", part.vertices.ravel())
    mesh.loops.foreach_set("vertex_index", part.faces.ravel())
    mesh.polygons.foreach_set("loop_start", np.arange(0, loops, 4, dtype=np.int32))
    mesh.polygons.foreach_set("material_index", part.material_indices)
    mesh.uv_layers.new(name="UVMap").data.foreach_set("uv", part.uvs.ravel())
    mesh.uv_layers.new(name="Lightmap").data.foreach_set("uv", part.lightmap.ravel())
    mesh.update()
    return mesh


UPLOADS = {"attributes": _upload_attributes, "edges found": _upload_edges_found, "collections": _upload_collections}


def _best_upload(bpy, parts, method, repeats: int) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    from backrooms_addon.realize.mesh import MeshTemplates

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with MeshTemplates() as templates:
            meshes = [method(bpy, np, part, templates) for part in parts]
        times.append(time.perf_counter() - started)
        bpy.data.batch_remove(meshes)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1000,2000", help="square level sizes in cells (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the best is kept (default: 3)")
    parser.add_argument(
        "--frames", type=int, default=3, help="fresh processes timing the first frame (default: %(default)s)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # measure one size, print JSON
    parser.add_argument("--frame", type=int, help=argparse.SUPPRESS)  # time one first frame, print JSON
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(measure(args.one, args.repeats)))
        return 0
    if args.frame:
        print("RESULT " + json.dumps(first_frame(args.frame)))
        return 0
    print(
        "| cells | faces | objects | end to end, new file (s) | regenerate (s) | raw upload (s) | ratio "
        "| raw upload, edges found (s) | ratio, edges found | raw upload, classic (s) | ratio, classic | plan (s) "
        "| layout (s) | Blender's part (s) | ratio "
        "| peak memory | the level alone | walls process | faces uploaded | depsgraph (s) | first frame, Cycles (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    # A cache folder of the run's own (realize/file_cache.py): the first build fills it, as a
    # user's first level does, and the next new files append from it.
    cache = tempfile.TemporaryDirectory(prefix="bench-generate-cache-")
    env = {**os.environ, "BACKROOMS_CACHE_DIR": cache.name}
    for size in (int(s) for s in args.sizes.split(",")):
        r = _run(["--one", str(size), "--repeats", str(args.repeats)], env)
        frame = statistics.median(_run(["--frame", str(size)], env) for _ in range(args.frames))
        e2e = r["end_to_end"]
        print(
            f"| {size}x{size} | {r['faces']:,} | {r['objects']} | {e2e:.3f} | {r['regenerate']:.3f} "
            f"| {r['upload']:.3f} | {e2e / r['upload']:.2f} | {r['upload_found']:.3f} | {e2e / r['upload_found']:.2f} "
            f"| {r['upload_classic']:.3f} | {e2e / r['upload_classic']:.2f} | {r['plan']:.3f} "
            f"| {r['layout']:.3f} | {r['blender_part']:.3f} | {r['blender_part'] / r['upload']:.2f} "
            f"| {r['peak_mib']:.0f} MiB | {r['alone_mib']:.0f} MiB | {_walls(r)} "
            f"| {r['uploaded']:,} | {r['depsgraph']:.2f} | {frame:.2f} |"
        )
    return 0


def _walls(r: dict[str, Any]) -> str:
    """The walls process's cell: its peak memory, and how long it took to be ready."""
    return "none" if r["walls_mib"] is None else f"{r['walls_mib']:.0f} MiB, ready in {r['walls_start']:.2f} s"


def _run(arguments: list[str], env: dict[str, str]) -> Any:
    """This script in a fresh process with `arguments`: the JSON it prints after RESULT."""
    command = [sys.executable, __file__, *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])


if __name__ == "__main__":
    sys.exit(main())
