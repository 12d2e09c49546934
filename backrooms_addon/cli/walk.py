"""The `walk` command: a walking camera through a level, written as a .blend and a walk document."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ..core.errors import InvalidSpecError
from ..core.levels import preset_spec
from ..core.spec import SETTING, SETTINGS, LevelSpec
from ..core.stream import WALK_SETTINGS, Walk, check_walk_settings, plan_walk
from ..core.walk_document import walk_document
from .batch import check_name, prepare_out
from .worker import atomically, partial_path, remove_abandoned_partial_files

WALK_FORMATS = ("blend", "json")


def add_walk_command(commands: Any, level: argparse.ArgumentParser, add_flag: Any, folder: Any) -> None:
    """`walk`: every level flag and --preset, the seed, the walk's settings and its outputs."""
    walk = commands.add_parser(
        "walk",
        parents=[level],
        help="a camera walking the endless level: a .blend with the animated camera and a walk document",
        description="Plan a walk from the level's spawn through the open world, build the chunks near it "
        "(each shown only while the camera is near) and write NAME.blend (the level, the walking camera as "
        "the scene camera, the frame range set) and NAME.json (docs/walk-format.md).",
    )
    add_walk_flags(walk, add_flag)
    walk.add_argument(
        "--out", type=folder, default=Path("out"), help="output folder, created if missing (default: %(default)s)"
    )
    walk.add_argument(
        "--formats", default="blend,json", help="comma-separated outputs out of blend,json (default: %(default)s)"
    )
    walk.add_argument("--name", default="walk", help="file name stem of the outputs (default: %(default)s)")


def run_walk(args: argparse.Namespace) -> int:
    """Check every input, then plan, build and write the walk; the exit status."""
    formats = _formats(args.formats)
    spec, settings = walk_inputs(args)
    seed = spec.seed
    prepare_out(args.out, partial_path(args.out / "write-test.probe"))
    remove_abandoned_partial_files(args.out, args.name)
    started = time.perf_counter()
    blend = args.out / f"{args.name}.blend"
    walk = _build(spec, settings, blend) if "blend" in formats else plan_walk(spec, **settings)
    if "json" in formats:
        text = json.dumps(walk_document(walk), separators=(",", ":")) + "\n"

        def write_json(path: Path) -> None:
            path.write_text(text, encoding="utf-8")

        atomically(args.out / f"{args.name}.json", write_json)
    for fmt in formats:
        path = args.out / f"{args.name}.{fmt}"
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    seconds = time.perf_counter() - started
    print(
        f"walk seed {seed}: {settings['length']:g} m, {walk.route.frame_count} frames at {walk.route.fps} fps, "
        f"{len(walk.chunks)} chunks, {seconds:.1f} s"
    )
    return 0


def add_walk_flags(parser: argparse.ArgumentParser, add_flag: Any) -> None:
    """The seed and the walk's settings (the level flags come from the parent parser)."""
    add_flag(parser, SETTING["seed"])
    for setting in WALK_SETTINGS:
        add_flag(parser, setting)


def walk_inputs(args: argparse.Namespace) -> tuple[LevelSpec, dict[str, Any]]:
    """The level spec and the walk's settings from the flags, each checked; the output name too."""
    seed = 0 if args.seed is None else args.seed
    check_name(args.name, [seed], args.preset)
    overrides = {s.name: getattr(args, s.name) for s in SETTINGS if s.name != "seed"}
    spec = preset_spec(args.preset, seed=seed, **{k: v for k, v in overrides.items() if v is not None})
    given = {s.name: getattr(args, s.name) for s in WALK_SETTINGS if getattr(args, s.name) is not None}
    return spec, check_walk_settings(given, spec.style)  # the level's own walk where a flag is not given


def _formats(text: str) -> tuple[str, ...]:
    formats = [item.strip() for item in text.split(",") if item.strip()]
    if not formats or any(item not in WALK_FORMATS for item in formats):
        raise InvalidSpecError("formats", f"must be a comma-separated list out of blend,json, got {text!r}")
    return tuple(dict.fromkeys(formats))


def _build(spec: Any, settings: dict[str, Any], path: Path) -> Walk:
    """The walk built in a new empty file with the API, saved to `path`."""
    try:
        import bpy
    except ImportError:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        raise SystemExit(1) from None
    from .. import api
    from ..realize.output import save_blend

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    level = api.walk(spec, scene=bpy.context.scene, **settings)
    atomically(path, save_blend)
    return level.walk
