"""How long Cycles takes to get a level ready and render a tiny frame (mostly its BVH build), and
what each part of the level costs of it.

Run: `.venv-5.0/bin/python benchmarks/bench_bvh.py [--sizes 250,1000] [--repeats 3]`. Prints a
Markdown table. A 64 x 36 pixel frame at 1 sample costs almost nothing to shade, so the time is
scene export and BVH building: what a user waits for before the first pixel of a big level.
Columns, each the median of --repeats fresh processes (generate, then render, as F12 straight
after Generate in a new Blender):
- first frame: the level as built;
- without the troffers: the instanced troffers' pieces hidden from the render (Cycles syncs
  every instance on its own, and puts every lit diffuser in its light tree);
- without the walls: the walls' pieces hidden (the level's most faces);
- troffers, and the instances of them Blender makes: a run of troffers of one state side by side
  along the ceiling grid in one piece is one instance (core/plan.py in_runs);
- diffusers not sampled: the troffers' diffuser materials with emission sampling off, so that
  they are no lights in the light tree (they still glow; the level is lit noisier where no lamp
  is: a measure of the light tree's share, not a setting the add-on makes);
- normal maps on UV tangents: the materials framed by the axes (core/axis_normals.py) put back
  to their recipes' tangent-space normal maps, for which Cycles computes MikkTSpace tangents of
  every corner of their meshes (the same normals; what the framing saves);
- no baseboards: the level with baseboard_height 0, its walls one band of faces instead of two
  (what drawing the baseboard in the wallpaper's material, on the same faces, would save at most).
Nothing here is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VARIANTS = ("level", "without troffers", "without walls", "diffusers not sampled", "uv tangents", "no baseboards")


def first_frame(size: int, variant: str) -> dict[str, float]:
    """Generate a level in a new file, change it as `variant` says, time a tiny Cycles frame."""
    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import materials, output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    spec = LevelSpec(seed=1, width=size, depth=size)
    if variant == "no baseboards":
        spec = spec.replace(baseboard_height=0.0)
    level = api.generate(spec, scene=scene)
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=1, resolution=(64, 36))
    scene.cycles.use_denoising = False
    hidden = {"without troffers": "Backrooms fixtures ", "without walls": "Backrooms walls "}.get(variant)
    for obj in level.objects if hidden else ():
        obj.hide_render = obj.name.startswith(hidden)
    if variant == "diffusers not sampled":
        for material in bpy.data.materials:
            if material.name.startswith("Backrooms Troffer Diffuser"):
                material.cycles.emission_sampling = "NONE"
    if variant == "uv tangents":
        materials.normal_maps_as_written(bpy.data.materials, ExitStack())  # for this process's one frame
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        output.render_png(scene, Path(folder) / "frame.png")
        seconds = time.perf_counter() - started
    return {"faces": level.plan.face_count(), "objects": len(level.objects), "seconds": seconds, **_runs(level.plan)}


def _runs(plan) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The troffers, and the instances Blender makes of them (runs: core/plan.py in_runs)."""
    copies = plan.meshes.copies_of("fixtures")
    return {"troffers": len(copies.instances().positions), "runs": len(copies.instanced().positions)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1000", help="square level sizes in cells (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per figure (default: %(default)s)")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # SIZE VARIANT: time one frame, print JSON
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(first_frame(int(args.one[0]), args.one[1])))
        return 0
    print(
        "| cells | faces | objects | first frame (s) | without the troffers (s) | without the walls (s) "
        "| troffers | instances | diffusers not sampled (s) | normal maps on UV tangents (s) | no baseboards (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        runs: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
        for _ in range(args.repeats):  # the variants in turn, so that a slow spell hits them alike
            for variant in VARIANTS:
                runs[variant].append(_run(size, variant))
        seconds = {variant: statistics.median(r["seconds"] for r in found) for variant, found in runs.items()}
        level = runs["level"][0]
        print(
            f"| {size}x{size} | {int(level['faces']):,} | {int(level['objects'])} "
            + "".join(f"| {seconds[variant]:.2f} " for variant in VARIANTS[:3])
            + f"| {int(level['troffers']):,} | {int(level['runs']):,} "
            + "".join(f"| {seconds[variant]:.2f} " for variant in VARIANTS[3:])
            + "|"
        )
    return 0


def _run(size: int, variant: str) -> dict[str, float]:
    """This script in a fresh process, timing one frame: the JSON it prints after RESULT."""
    command = [sys.executable, __file__, "--one", str(size), variant]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    result: dict[str, float] = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    return result


if __name__ == "__main__":
    sys.exit(main())
