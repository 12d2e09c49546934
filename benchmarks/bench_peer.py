"""Times this add-on beside another Blender Backrooms add-on (a peer), each in a fresh process of its own.

Run: `.venv-5.0/bin/python benchmarks/bench_peer.py PEER` (PEER: the peer add-on's .py file or its folder; it is
imported from there and registered only in its own process, as its operator id is this add-on's). Each repeat
runs this add-on, then the peer, in new processes and new, empty files; the best of N is kept. Columns: cells
(--size, at most 250, the peer's cap); faces (of every mesh object, a shared mesh once per object; ours: the
plan's, what an export holds); objects; first level in a new file (seed 1), ours with its cache of what a new
file builds once (materials, textures, the hum: realize/file_cache.py) filled by an earlier run, as after the
first level a user ever makes; the same with an empty cache, as the very first time; regenerate (seed 2, same
file); another new file in the same process (seed 1 again), as File > New in a Blender that made a level before.
Ours: the first level starts the process that makes a one-floor level's walls (core/walls_process.py) and
makes its own walls meanwhile; regenerate and the new file wait for that process to be ready first, untimed,
as a user's next click would find it (BACKROOMS_WALLS_PROCESS=0: none, the walls made in threads).
The last row is peer time / ours. Nothing is asserted, it is measured.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_SIZE_MIN, PEER_SIZE_LIMIT = 8, 250  # the peer's grid_width and grid_depth bounds
Result = dict[str, float]


def _new_file() -> Any:
    """A new, empty file; returns bpy."""
    import bpy

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    return bpy


def measure_ours(size: int) -> Result:
    """This add-on: api.generate for a first level in a new file, again in the same file, then in another new file."""
    sys.path.insert(0, str(ROOT))
    bpy = _new_file()
    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec, walls_process

    spec = LevelSpec(seed=1, width=size, depth=size)
    started = time.perf_counter()
    api.generate(spec, scene=bpy.context.scene)
    first = time.perf_counter() - started
    # The first level started the walls' process and made its walls itself; a user's next click
    # comes after it is ready (a fraction of a second): so do these.
    walls_process.shared().start(wait=30)
    started = time.perf_counter()
    level = api.generate(spec.replace(seed=2), scene=bpy.context.scene)
    regenerate = time.perf_counter() - started
    counts = {"faces": level.plan.face_count(), "objects": len(level.objects)}
    _new_file()
    started = time.perf_counter()
    api.generate(spec, scene=bpy.context.scene)
    return {**counts, "first": first, "regenerate": regenerate, "new_file": time.perf_counter() - started}


def peer_file(path: Path) -> Path:
    """The peer's module: the .py file given, or its folder's __init__.py or single add-on file (with bl_info)."""
    if path.is_file():
        return path
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    candidates = [file for file in sorted(path.glob("*.py")) if "bl_info" in file.read_text(encoding="utf-8")]
    if len(candidates) != 1:
        raise ValueError(f"expected one add-on .py file (with bl_info) in {path}, found {len(candidates)}")
    return candidates[0]


def _load_peer(file: Path) -> None:
    """Import the peer from its file, as a module of its own, and register it."""
    locations = [str(file.parent)] if file.name == "__init__.py" else None
    spec = importlib.util.spec_from_file_location("backrooms_peer", file, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench_peer: cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.register()


def _peer_generate(bpy, size: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds the peer's operator takes for one level; it must finish."""
    settings = bpy.context.scene.backrooms_settings
    settings.grid_width = settings.grid_depth = size
    settings.use_random_seed = False
    settings.seed = seed
    started = time.perf_counter()
    outcome = bpy.ops.backrooms.generate()
    elapsed = time.perf_counter() - started
    if outcome != {"FINISHED"}:
        raise SystemExit(f"bench_peer: the peer's backrooms.generate returned {outcome}")
    return elapsed


def _peer_counts(bpy) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The peer's objects and their mesh faces (a shared mesh counted once per object)."""
    objects = list(bpy.context.scene.objects)  # the file was empty before
    faces = sum(len(obj.data.polygons) for obj in objects if obj.type == "MESH")
    return len(objects), faces


def measure_peer(size: int, file: Path) -> Result:
    """The peer: its operator for a first level in a new file, again in the same file, then in another new file."""
    bpy = _new_file()
    _load_peer(file)
    first = _peer_generate(bpy, size, seed=1)
    regenerate = _peer_generate(bpy, size, seed=2)
    objects, faces = _peer_counts(bpy)
    if not objects or not faces:
        raise SystemExit("bench_peer: the peer's backrooms.generate made no objects or faces")
    _new_file()
    new_file = _peer_generate(bpy, size, seed=1)
    return {"faces": faces, "objects": objects, "first": first, "regenerate": regenerate, "new_file": new_file}


def _run_one(which: str, size: int, peer: Path, cache: Path) -> Result:
    """One measurement in a fresh Python process, with `cache` as its cache folder."""
    command = [sys.executable, __file__, str(peer), "--size", str(size), "--one", which]
    env = {**os.environ, "BACKROOMS_CACHE_DIR": str(cache)}
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    if run.returncode != 0:
        raise SystemExit(f"bench_peer: measuring {which} failed:\n{run.stderr[-2000:]}")
    result: Result = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[7:])
    return result


def _best(results: list[Result]) -> Result:
    """Counts from the first run, the least time of every run."""
    return {**results[0], **{key: min(r[key] for r in results) for key in ("first", "new_file", "regenerate")}}


def _row(name: str, size: int, r: Result, empty_cache: float) -> str:
    counts = f"{r['faces']:,.0f} | {r['objects']:,.0f}"
    times = f"{r['first']:.3f} | {empty_cache:.3f} | {r['new_file']:.3f} | {r['regenerate']:.3f}"
    return f"| {name} | {size}x{size} | {counts} | {times} |"


def report(size: int, ours: Result, ours_empty: Result, peer: Result, file: Path) -> None:
    """The Markdown table, with a last row giving peer time / ours."""
    header = "first level, new file (s) | the same, empty cache (s) | new file, same process (s) | regenerate (s)"
    print(f"| add-on | cells | faces | objects | {header} |")
    print("|---|---|---|---|---|---|---|---|")
    print(_row("this add-on (backrooms_addon)", size, ours, ours_empty["first"]))
    print(_row(f"peer ({file.name})", size, peer, peer["first"]))
    first, empty = peer["first"] / ours["first"], peer["first"] / ours_empty["first"]
    new_file, again = peer["new_file"] / ours["new_file"], peer["regenerate"] / ours["regenerate"]
    ratios = f"{first:.1f}x | {empty:.1f}x | {new_file:.1f}x | {again:.1f}x"
    print(f"| this add-on is faster by (peer / ours) | | | | {ratios} |")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "peer",
        type=Path,
        nargs="?",
        help="the peer add-on's path: its single .py file (a legacy add-on with bl_info) or its folder",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each add-on; the best is kept (default: 3)")
    parser.add_argument(
        "--size",
        type=int,
        default=PEER_SIZE_LIMIT,
        help=f"square level size in cells (default: %(default)s; the peer caps at {PEER_SIZE_LIMIT})",
    )
    parser.add_argument("--one", choices=("ours", "peer"), help=argparse.SUPPRESS)  # measure once, print JSON
    return parser


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    if args.peer is None:
        parser.error(
            "the peer's path is needed: the peer add-on's single .py file (a legacy Blender add-on with bl_info "
            "and a backrooms.generate operator) or the folder holding it"
        )
    if not args.peer.exists():
        parser.error(f"no such peer path: {args.peer}")
    try:
        file = peer_file(args.peer.resolve())
    except ValueError as error:
        parser.error(str(error))
    if not PEER_SIZE_MIN <= args.size <= PEER_SIZE_LIMIT:
        parser.error(f"--size {args.size}: the peer's grid goes from {PEER_SIZE_MIN} to {PEER_SIZE_LIMIT} cells a side")
    if args.one:
        result = measure_ours(args.size) if args.one == "ours" else measure_peer(args.size, file)
        print("RESULT " + json.dumps(result))
        return 0
    runs: dict[str, list[Result]] = {"ours": [], "peer": [], "ours, empty cache": []}
    with tempfile.TemporaryDirectory(prefix="bench-peer-cache-") as folder:
        cache = Path(folder) / "cache"
        _run_one("ours", args.size, file, cache)  # fills the cache, as a user's first level does
        for repeat in range(args.repeats):  # alternating, each in a fresh process
            runs["ours"].append(_run_one("ours", args.size, file, cache))
            runs["peer"].append(_run_one("peer", args.size, file, cache))
            empty = Path(folder) / f"empty-{repeat}"
            runs["ours, empty cache"].append(_run_one("ours", args.size, file, empty))
    report(args.size, _best(runs["ours"]), _best(runs["ours, empty cache"]), _best(runs["peer"]), file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
