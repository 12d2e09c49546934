"""Walks through the endless world per length: planning, building in Blender, and a frame early and late.

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_walk_build.py`
(options: `--lengths 100,1000` to choose the walks, default 100,1000,10000 metres; `--build-max M`
to build in Blender only walks of at most M metres, default 10000; the longer ones stay in the
planning table and are named as skipped). Every walk is Level 0, seed 7, with the default walk
settings but its length. Prints three Markdown tables; nothing here is asserted, it is measured.

Planning (pure core, no Blender; core/stream.py plan_walk):
- route frames: the camera's frames over the walk (24 fps, stops included);
- chunks built: the world chunks within the view radius of some frame, which a build makes;
- planning (s): one plan_walk, untraced; peak memory: tracemalloc's peak over a second, traced
  plan_walk (what the planning allocates through Python, numpy arrays included).

Building in Blender (each walk in a fresh process, so the peaks are its own): an empty factory
file, then api.walk(spec, scene=..., length=L):
- build (s): the whole of api.walk, its planning included; Blender part (s): build less the
  planning time of the first table;
- objects: what the walk made (meshes of every chunk, lamps, the camera);
- peak memory: the process's peak resident memory (ru_maxrss) above what it was before the walk.

Frames (in each walk built): Cycles on the CPU, 160 x 120, 4 samples, no denoiser, after one
untimed render to load images and shaders; frame 2 (early) and the walk's last frame (late):
- mesh objects shown, lamps shown: those not hidden from the render on that frame (keyed
  visibility hides every chunk and lamp away from the camera); objects: all in the scene;
- frame_set (s): moving the scene to the frame (the keyed visibility of every object evaluated);
- render (s): bpy.ops.render.render(), the best of two.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import plan_walk

ROOT = Path(__file__).resolve().parents[1]
PRESET, SEED = "LEVEL_0", 7
RENDERS = 2  # timed renders per frame; the best is kept


def walk_spec() -> LevelSpec:
    return preset_spec(PRESET, seed=SEED)


def measure_plan(length: float) -> dict[str, float]:
    """Planning figures for one walk, in this process."""
    started = time.perf_counter()
    walk = plan_walk(walk_spec(), length=length)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    plan_walk(walk_spec(), length=length)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"frames": walk.route.frame_count, "chunks": len(walk.chunks), "seconds": seconds, "peak_mib": peak / 2**20}


def measure_build(length: float) -> dict[str, Any]:
    """Building figures for one walk and its two frames, in this (fresh) process."""
    import bpy

    from backrooms_addon import api

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    level = api.walk(walk_spec(), scene=scene, length=length)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    setup_render(scene)
    bpy.ops.render.render()  # untimed: loads images and shaders once
    frames = [measure_frame(scene, frame) for frame in (2, level.frames[1])]
    return {"seconds": seconds, "objects": len(level.objects), "peak_mib": (after - before) / 1024, "frames": frames}


def setup_render(scene: Any) -> None:
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 4
    scene.cycles.use_denoising = False
    scene.render.resolution_x, scene.render.resolution_y = 160, 120
    scene.render.resolution_percentage = 100


def measure_frame(scene: Any, frame: int) -> dict[str, Any]:
    """Visibility and timings of one rendered frame of the walk."""
    import bpy

    started = time.perf_counter()
    scene.frame_set(frame)
    frame_set = time.perf_counter() - started
    shown = [obj for obj in scene.objects if not obj.hide_render]
    renders = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        bpy.ops.render.render()
        renders.append(time.perf_counter() - started)
    return {
        "frame": frame,
        "meshes": sum(obj.type == "MESH" for obj in shown),
        "lamps": sum(obj.type == "LIGHT" for obj in shown),
        "objects": len(scene.objects),
        "frame_set": frame_set,
        "render": min(renders),
    }


def build_in_subprocess(length: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", f"{length:g}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    result: dict[str, Any] = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    return result


def print_planning(plans: dict[float, dict[str, float]]) -> None:
    print("| walk (m) | route frames | chunks built | planning (s) | peak memory |")
    print("|---|---|---|---|---|")
    for length, p in plans.items():
        print(f"| {length:,g} | {p['frames']:,} | {p['chunks']} | {p['seconds']:.2f} | {p['peak_mib']:.1f} MiB |")


def print_building(builds: dict[float, dict[str, Any]], plans: dict[float, dict[str, float]]) -> None:
    print("| walk (m) | build (s) | Blender part (s) | objects | peak memory |")
    print("|---|---|---|---|---|")
    for length, b in builds.items():
        blender = b["seconds"] - plans[length]["seconds"]
        print(f"| {length:,g} | {b['seconds']:.2f} | {blender:.2f} | {b['objects']:,} | {b['peak_mib']:.0f} MiB |")


def print_frames(builds: dict[float, dict[str, Any]]) -> None:
    print("| walk (m) | frame | mesh objects shown | lamps shown | objects | frame_set (s) | render (s) |")
    print("|---|---|---|---|---|---|---|")
    for length, b in builds.items():
        for f in b["frames"]:
            print(
                f"| {length:,g} | {f['frame']:,} | {f['meshes']} | {f['lamps']} | {f['objects']:,} "
                f"| {f['frame_set']:.3f} | {f['render']:.2f} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="100,1000,10000", help="walk lengths in metres (default: %(default)s)")
    parser.add_argument(
        "--build-max", type=float, default=10_000.0, help="longest walk built in Blender, metres (default: %(default)g)"
    )
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)  # build one walk, print JSON
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(measure_build(args.one)))
        return 0
    lengths = [float(s) for s in args.lengths.split(",")]
    plans = {length: measure_plan(length) for length in lengths}
    builds = {length: build_in_subprocess(length) for length in lengths if length <= args.build_max}
    print_planning(plans)
    print()
    print_building(builds, plans)
    skipped = [f"{length:,g} m" for length in lengths if length > args.build_max]
    if skipped:
        print(f"\nNot built: {', '.join(skipped)} (over --build-max {args.build_max:g}; raise it to include them).")
    print()
    print_frames(builds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
