"""Command line: generate, batch and info, for `python -m backrooms_addon` and `blender -c backrooms`."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn

from ..core.algorithms import ALGORITHM_LABELS, ALGORITHMS
from ..core.errors import InvalidSpecError
from ..core.levels import DEFAULT_PRESET, LEVEL_PRESETS
from ..core.render import RENDER_PRESETS
from ..core.spec import LIMITS, LevelSpec
from ..core.styles import STYLES
from ..core.version import ADDON_VERSION, GENERATOR_VERSION
from . import backends
from .batch import (
    FORMATS,
    MANIFEST,
    Job,
    Manifest,
    ProgressReport,
    Task,
    check_name,
    check_out,
    parse_formats,
    parse_seeds,
    parse_shard,
    remove_partial_files,
    shard,
)
from .worker import build_level

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MAX_JOBS = 64


# Spec fields the command line sets, with the words --help uses for them.
SPEC_FLAGS = {
    "width": "region width along x",
    "depth": "region depth along y",
    "density": "wall density: 0 is an open hall with pillars and stubs, 1 the most segmented",
    "cell_size": "side of one grid cell",
    "wall_height": "height of walls and ceiling",
    "wall_thickness": "thickness of walls",
    "chunk_size": "side of a world chunk, the unit the endless world is built from",
    "room_min": "smallest room side (backrooms algorithm)",
    "room_max": "largest room side (backrooms algorithm)",
    "door_height": "height of doorways; a header closes the wall above (equal to wall height for none)",
    "baseboard_height": "height of the baseboard band at the foot of walls (0 for none)",
    "piece_chunks": "chunks per side of a streaming piece: one object per piece and kind",
    "fixture_density": "share of the ceiling grid's troffer positions that hold a troffer",
    "dead_fraction": "share of troffers that are dead",
    "flicker_fraction": "share of troffers that flicker",
    "light_budget": "real lamps under the troffers nearest the camera; the others glow",
    "wear": "water stains on the wallpaper",
    "dampness": "damp patches in the carpet (puddles on concrete)",
    "floors": "levels stacked one above the other, joined by stairwells and pitfalls",
    "pitfall_density": "share of open floor cells that are holes dropping into darkness or the floor below",
    "pool_density": "how many pools are carved into the floor (the Poolrooms)",
}


class OneLineParser(argparse.ArgumentParser):
    """Reports bad arguments in one line naming the flag, with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="backrooms",
        description="Generate Backrooms levels headlessly: `python -m backrooms_addon` where Blender is the bpy "
        "module, or `blender -b -c backrooms` inside a Blender with the extension enabled.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {ADDON_VERSION} (generator {GENERATOR_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    level, outputs = _level_flags(), _output_flags()
    gen = commands.add_parser(
        "generate",
        parents=[level, outputs],
        help="generate one level and write its files",
        description="Generate one level and write its files. Level flags override the preset's values; "
        f"the defaults shown are those of {DEFAULT_PRESET}.",
    )
    gen.add_argument("--seed", type=int, help=f"level seed: {LIMITS['seed'].describe()} (default: 0)")
    gen.add_argument("--name", default="level0", help="file name stem of the outputs (default: %(default)s)")
    batch = commands.add_parser(
        "batch",
        parents=[level, outputs],
        help="generate many levels, in parallel, resumable, with a manifest",
        description="Generate a level for every seed, each with the same flags, writing FOLDER/manifest.jsonl. "
        "Running the same command again builds only what is missing. Exit status 0 when every level was "
        "built, 1 when some failed, 2 on bad input.",
    )
    batch.add_argument(
        "--seeds", required=True, help="seeds: ranges and single seeds, e.g. 0-999 or 3,17,42 or 0-9,100"
    )
    batch.add_argument(
        "--name",
        default="level_{seed}",
        help="file name pattern of each level's outputs, with {seed} and optionally {preset} (default: %(default)s)",
    )
    batch.add_argument(
        "--jobs",
        type=int,
        default=1,
        help=f"worker processes, each starting Blender once and building many levels: 1 to {MAX_JOBS} (default: 1)",
    )
    batch.add_argument(
        "--shard",
        help="K/N: build only every N-th seed of the list, starting at the K-th (K from 0 to N-1), so N machines "
        "or array jobs split a run without overlap",
    )
    batch.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="build on a Dask cluster, e.g. tcp://HOST:8786 (needs the distributed package; the output folder "
        "must be shared with the workers)",
    )
    commands.add_parser("info", help="print presets, algorithms, formats and versions as JSON")
    return parser


def _level_flags() -> OneLineParser:
    """The level's settings, shared by generate and batch; None means "the preset's value"."""
    flags = OneLineParser(add_help=False)
    defaults = LevelSpec()
    flags.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=list(LEVEL_PRESETS),
        help="built-in level preset the other flags start from (default: %(default)s)",
    )
    for field, text in SPEC_FLAGS.items():
        kind = int if LIMITS[field].integer else float
        help_text = f"{text}: {LIMITS[field].describe()} (default: {getattr(defaults, field)})"
        flags.add_argument(f"--{field.replace('_', '-')}", dest=field, type=kind, help=help_text)
    flags.add_argument(
        "--origin",
        nargs=2,
        type=int,
        metavar=("X", "Y"),
        help=f"world cell of the region's south-west corner: {LIMITS['origin_x'].describe()} each (default: 0 0)",
    )
    flags.add_argument(
        "--no-perimeter",
        dest="perimeter",
        action="store_false",
        default=None,
        help="leave the region's outer edges as the world has them instead of closing them with walls",
    )
    flags.add_argument(
        "--no-hum", dest="hum", action="store_false", default=None, help="no humming speakers at the troffers"
    )
    flags.add_argument(
        "--wallpaper-tint",
        help=f"sRGB colour #RRGGBB the wallpaper is tinted to (default: {defaults.wallpaper_tint})",
    )
    flags.add_argument("--algorithm", choices=list(ALGORITHMS), help=f"maze algorithm (default: {defaults.algorithm})")
    flags.add_argument(
        "--style",
        "--level",
        dest="style",
        choices=list(STYLES),
        help=f"style: materials, light fittings and features (default: {defaults.style})",
    )
    return flags


def _output_flags() -> OneLineParser:
    flags = OneLineParser(add_help=False)
    flags.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder, created if missing (default: %(default)s)"
    )
    flags.add_argument(
        "--formats",
        default="blend,glb,json,png",
        help=f"comma-separated outputs out of {','.join(FORMATS)} "
        "(usd is a .usdz package with its textures; default: %(default)s)",
    )
    flags.add_argument(
        "--render",
        default="preview",
        choices=list(RENDER_PRESETS),
        help="render preset for the PNG: preview (16 samples, 800x450) or final (256 samples, 1920x1080), "
        "Cycles on the CPU, denoised (default: %(default)s)",
    )
    flags.add_argument("--samples", type=int, help="Cycles samples for the PNG, 1 to 4096 (default: the preset's)")
    flags.add_argument("--resolution", help="PNG size in pixels, WIDTHxHEIGHT, each 16 to 8192 (default: the preset's)")
    flags.add_argument(
        "--draco", action="store_true", help="compress the .glb's meshes with Draco (Blender 5.0 and later)"
    )
    flags.add_argument(
        "--no-collision",
        dest="collision",
        action="store_false",
        help="leave the simplified -colonly collision meshes out of the .glb",
    )
    return flags


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_work"]:  # a batch's worker process (not a user command)
        from .worker import serve

        return serve()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or a bad argument already reported
        return int(exit_request.code or 0)
    try:
        if args.command == "info":
            print(json.dumps(info(), indent=1))
            return EXIT_OK
        job = _job(args)
        if args.command == "generate":
            return _generate(job, 0 if args.seed is None else args.seed)
        return _batch(job, args)
    except InvalidSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _job(args: argparse.Namespace) -> Job:
    """The run's Job from the flags, every value checked (the spec with seed 0 stands for all seeds)."""
    named = (*SPEC_FLAGS, "origin", "algorithm", "style", "perimeter", "hum", "wallpaper_tint")
    overrides = {field: getattr(args, field) for field in named if getattr(args, field, None) is not None}
    overrides.pop("seed", None)
    job = Job(
        preset=args.preset,
        overrides=overrides,
        formats=parse_formats(args.formats),
        out=args.out,
        name=args.name,
        render=args.render,
        samples=None if args.samples is None else _parse_samples(args.samples),
        resolution=None if args.resolution is None else _parse_resolution(args.resolution),
        draco=args.draco,
        collision=args.collision,
    )
    job.spec(getattr(args, "seed", None) or 0)
    check_out(args.out)
    return job


def info() -> dict[str, object]:
    """What this build offers, for scripts and schedulers."""
    defaults = LevelSpec().to_dict()
    return {
        "version": ADDON_VERSION,
        "generator_version": GENERATOR_VERSION,
        "presets": {
            key: {"label": p.label, "description": p.description, "values": p.values}
            for key, p in LEVEL_PRESETS.items()
        },
        "algorithms": dict(ALGORITHM_LABELS),
        "formats": list(FORMATS),
        "render_presets": {key: asdict(preset) for key, preset in RENDER_PRESETS.items()},
        "spec_fields": {
            name: {"default": value, "range": LIMITS[name].describe() if name in LIMITS else None}
            for name, value in defaults.items()
        },
    }


def _parse_samples(samples: int) -> int:
    if not 1 <= samples <= 4096:
        raise InvalidSpecError("samples", f"must be an integer from 1 to 4096, got {samples}")
    return samples


def _parse_resolution(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise InvalidSpecError("resolution", f"must be WIDTHxHEIGHT in pixels, got {text!r}") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise InvalidSpecError("resolution", f"each side must be from 16 to 8192 pixels, got {text!r}")
    return width, height


def _generate(job: Job, seed: int) -> int:
    if job.formats != ("json",) and not _has_blender():
        return EXIT_FAILED
    record = build_level(job, Task(seed, job.formats))
    if record["status"] != "ok":
        print(f"error: seed {seed}: {record['error']}", file=sys.stderr)
        return EXIT_FAILED
    for entry in record["files"].values():
        print(f"wrote {job.out / entry['path']} ({entry['bytes'] / 1024:.0f} KiB)")
    seconds = record["timings"]["total"]
    print(f"level seed {seed}: {record['faces']} faces, {record['fixtures']} fixtures, {seconds:.1f} s")
    return EXIT_OK


def _has_blender() -> bool:
    try:
        import bpy  # noqa: F401
    except ImportError:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        return False
    return True


def _batch(job: Job, args: argparse.Namespace) -> int:
    seeds = parse_seeds(args.seeds)
    if args.shard:
        seeds = shard(seeds, *parse_shard(args.shard))
    if not 1 <= args.jobs <= MAX_JOBS:
        raise InvalidSpecError("jobs", f"must be an integer from 1 to {MAX_JOBS}, got {args.jobs}")
    if args.dask and args.jobs != 1:
        raise InvalidSpecError("jobs", "--jobs sets local worker processes; with --dask the cluster's workers build")
    if args.dask and importlib.util.find_spec("distributed") is None:
        raise InvalidSpecError("dask", "the Dask backend needs the distributed package: pip install distributed")
    if seeds:
        check_name(job.name, seeds)
    job.out.mkdir(parents=True, exist_ok=True)
    remove_partial_files(job)
    manifest = Manifest(job.out / MANIFEST)
    tasks = manifest.tasks(job, seeds)
    print(f"{len(seeds)} levels: {len(seeds) - len(tasks)} already built, {len(tasks)} to build", file=sys.stderr)
    if not tasks:
        return EXIT_OK
    if args.dask:
        records = backends.dask_cluster(job, tasks, args.dask)
    elif args.jobs > 1:
        records = backends.local_workers(job, tasks, args.jobs)
    else:
        records = backends.in_process(job, tasks)
    progress, failed = ProgressReport(len(tasks)), 0
    for record in records:
        manifest.append(record)
        progress.update(record)
        failed += record["status"] != "ok"
    print(f"{len(tasks) - failed} built, {failed} failed; manifest: {manifest.path}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def blender_command(argv: list[str]) -> int:
    """`blender -b -c backrooms ...`: the same command line inside Blender (registered by the extension)."""
    return main(argv)
