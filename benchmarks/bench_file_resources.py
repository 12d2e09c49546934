"""What the first level in a new file builds once (materials, textures, flicker, the hum, the
world), each timed, against appending the same materials from a .blend written beforehand: is a
cache on disk between Blender runs cheaper than making them?

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_file_resources.py`.
Every figure is the best of N (--repeats) in a new, empty file; a Level 0 level of 250 x 250 cells
is generated once first, and its materials written to a temporary .blend, the would-be cache.
Prints a Markdown table; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(repeats: int, prepare: Callable[[], None], work: Callable[[], object]) -> float:
    """The least time `work` took, each time after `prepare` (a new file)."""
    times = []
    for _ in range(repeats):
        prepare()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure; the best is kept (default: 5)")
    args = parser.parse_args()

    import bpy

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.recipes import Look
    from backrooms_addon.core.styles import style_of
    from backrooms_addon.realize.level import ensure_hum
    from backrooms_addon.realize.materials import ensure_material
    from backrooms_addon.realize.world import light_scene

    def new_file() -> None:
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)

    spec = LevelSpec(seed=1, width=250, depth=250)
    new_file()
    api.generate(spec, scene=bpy.context.scene)
    names = [m.get("backrooms_recipe") for m in bpy.data.materials if m.get("backrooms_recipe")]
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "materials.blend"
        bpy.data.libraries.write(str(cache), set(bpy.data.materials), compress=False)

        def append() -> None:
            with bpy.data.libraries.load(str(cache), link=False) as (source, target):
                target.materials = list(source.materials)

        rows = {
            f"build the level's {len(names)} materials (with textures and flicker keys)": best_of(
                args.repeats, new_file, lambda: [ensure_material(name, Look()) for name in names]
            ),
            f"append the same {len(names)} materials from a .blend": best_of(args.repeats, new_file, append),
            "make the hum (synthesise, write, load, pack)": best_of(args.repeats, new_file, ensure_hum),
            "make the style's world": best_of(
                args.repeats, new_file, lambda: light_scene(bpy.context.scene, style_of(spec.style))
            ),
            "first level, 250 x 250, in a new file": best_of(
                args.repeats, new_file, lambda: api.generate(spec, scene=bpy.context.scene)
            ),
        }
    print("| made once per file | seconds |")
    print("|---|---|")
    for what, seconds in rows.items():
        print(f"| {what} | {seconds:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
