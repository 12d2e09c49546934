"""What the first level in a new file builds once (materials, textures, flicker, the hum, the
world) and what a process reads once (the troffer model), each timed, made and from the cache on
disk (realize/file_cache.py) that keeps them between Blender runs, and the first level with and
without that cache.

Run with the Blender 5.0 environment: `.venv-5.0/bin/python benchmarks/bench_file_resources.py`.
Every figure is the best of N (--repeats) in a new, empty file, with a cache folder of its own
(none, a new empty one, or one filled beforehand); the level is Level 0, 250 x 250 cells.
Prints a Markdown table; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
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
    from backrooms_addon.realize import troffers
    from backrooms_addon.realize.level import ensure_hum, file_resources_ahead
    from backrooms_addon.realize.materials import ensure_material
    from backrooms_addon.realize.world import light_scene

    def new_file() -> None:
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)

    spec = LevelSpec(seed=1, width=250, depth=250)
    with tempfile.TemporaryDirectory() as folder:

        def cache_in(name: str) -> Callable[[], None]:
            """A new file, with the cache folder `name` ("": no cache; "empty": a new empty one each time)."""

            def prepare() -> None:
                new_file()
                chosen = f"empty-{time.perf_counter_ns()}" if name == "empty" else name
                os.environ["BACKROOMS_CACHE_DIR"] = str(Path(folder) / chosen) if chosen else ""

            return prepare

        def model_from(name: str) -> Callable[[], None]:
            """As cache_in, and the troffer model forgotten by this process."""

            def prepare() -> None:
                cache_in(name)()
                troffers._loaded.cache_clear()

            return prepare

        troffer = "Troffer 60x120"
        cache_in("")()
        api.generate(spec, scene=bpy.context.scene)
        names = [m.get("backrooms_recipe") for m in bpy.data.materials if m.get("backrooms_recipe")]
        os.environ["BACKROOMS_CACHE_DIR"] = str(Path(folder) / "filled")
        new_file()
        file_resources_ahead(spec)  # fills the cache the "from the cache" rows read
        model_from("filled")()
        troffers.load_troffer(troffer)
        rows = {
            f"build the level's {len(names)} materials (with textures and flicker keys)": best_of(
                args.repeats, cache_in(""), lambda: [ensure_material(name, Look()) for name in names]
            ),
            "make the hum (synthesise, write, load, pack)": best_of(args.repeats, cache_in(""), ensure_hum),
            "what a new file builds once (the materials the level most likely uses, the hum), no cache": best_of(
                args.repeats, cache_in(""), lambda: file_resources_ahead(spec)
            ),
            "the same, made and written to an empty cache": best_of(
                args.repeats, cache_in("empty"), lambda: file_resources_ahead(spec)
            ),
            "the same, appended from the cache": best_of(
                args.repeats, cache_in("filled"), lambda: file_resources_ahead(spec)
            ),
            "read the troffer model, appended from troffers.blend": best_of(
                args.repeats, model_from(""), lambda: troffers.load_troffer(troffer)
            ),
            "the same, from the cache": best_of(
                args.repeats, model_from("filled"), lambda: troffers.load_troffer(troffer)
            ),
            "make the style's world": best_of(
                args.repeats, cache_in(""), lambda: light_scene(bpy.context.scene, style_of(spec.style))
            ),
            "first level, 250 x 250, in a new file, no cache": best_of(
                args.repeats, cache_in(""), lambda: api.generate(spec, scene=bpy.context.scene)
            ),
            "first level, 250 x 250, in a new file, from the cache": best_of(
                args.repeats, cache_in("filled"), lambda: api.generate(spec, scene=bpy.context.scene)
            ),
        }
    print("| made once per file | seconds |")
    print("|---|---|")
    for what, seconds in rows.items():
        print(f"| {what} | {seconds:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
