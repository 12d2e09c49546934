"""Command line: generate, batch and info, for `python -m backrooms_addon` and `blender -c backrooms`."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from ..core.algorithms import ALGORITHM_LABELS
from ..core.cost import RunCost, check_run, estimate_batch, estimate_run
from ..core.errors import InvalidSpecError
from ..core.levels import DEFAULT_PRESET, LEVEL_PRESETS
from ..core.render import ENGINE_LABELS, ENGINES, QUALITIES, RENDER_PRESETS, preset_key
from ..core.spec import SETTING, SETTINGS, Setting
from ..core.styles import STYLES
from ..core.version import ADDON_VERSION, GENERATOR_VERSION
from . import backends
from .batch import (
    FORMATS,
    MANIFEST,
    MAX_JOBS,
    Job,
    Manifest,
    ProgressReport,
    Task,
    check_name,
    check_out,
    check_workers,
    parse_formats,
    parse_resolution,
    parse_samples,
    parse_seeds,
    parse_shard,
    prepare_out,
    shard,
)
from .footage import add_footage_command, run_footage
from .walk import add_walk_command, run_walk
from .worker import build_level, partial_path, remove_abandoned_partial_files

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class OneLineParser(argparse.ArgumentParser):
    """Reports bad arguments in one line naming the flag, with exit status 2; takes no
    abbreviations (batch --seed 3 is refused, not read as --seeds 3)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "allow_abbrev": False})
        # What argparse takes for a value rather than a flag: -5 and -.5, and also -inf, -nan and
        # -1e3, so that `--origin 0 -inf` reports the bad value, not a missing one. (No flag here
        # looks like a number.)
        self._negative_number_matcher = re.compile(r"^-(?:\d|\.\d|inf|nan)", re.IGNORECASE)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def attach_dash_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`--density -inf` as `--density=-inf`: argparse takes a value that starts with '-' for a flag
    unless it looks like a plain negative number, and says "expected one argument" instead of
    what is wrong with the value. Joined, the value reaches its check, which names the flag."""
    takes_one, flags = flag_sets(parser)
    joined: list[str] = []
    values = iter(argv)
    for token in values:
        if token == "--":
            joined += [token, *values]
            break
        following = next(values, None) if token in takes_one else None
        if following is not None and following.startswith("-") and following not in flags:
            joined.append(f"{token}={following}")
        else:
            joined += [token] if following is None else [token, following]
    return joined


def flag_sets(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """The flags (of every subcommand) that take exactly one value, and all flags."""
    takes_one: set[str] = set()
    flags: set[str] = set()
    for action in parser._actions:  # argparse offers no public view of a parser's flags
        flags.update(action.option_strings)
        if action.option_strings and action.nargs is None:
            takes_one.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                more_one, more = flag_sets(subparser)
                takes_one |= more_one
                flags |= more
    return takes_one, flags


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
    _add_flag(gen, SETTING["seed"])
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
    add_walk_command(commands, level, _add_flag, _folder)
    add_footage_command(commands, level, _add_flag, _folder)
    commands.add_parser("info", help="print presets, algorithms, formats and versions as JSON")
    return parser


def _level_flags() -> OneLineParser:
    """The level's settings, shared by generate and batch (the seed is generate's alone: a batch
    has --seeds); None means "the preset's value"."""
    flags = OneLineParser(add_help=False)
    flags.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=list(LEVEL_PRESETS),
        help="built-in level preset the other flags start from (default: %(default)s)",
    )
    for setting in SETTINGS:
        if setting.name != "seed":
            _add_flag(flags, setting)
    return flags


def _add_flag(parser: argparse.ArgumentParser, setting: Setting) -> None:
    """The flag of one spec setting, its --help made from the setting's description and range."""
    names, dest = (setting.flag,), setting.name
    for alias in setting.flag_aliases:  # older spellings still work, without cluttering --help
        parser.add_argument(
            alias, dest=dest, choices=setting.choices and list(setting.choices()), help=argparse.SUPPRESS
        )
    default = " ".join(map(str, setting.default)) if setting.kind == "cells" else setting.default
    if setting.kind == "styles":
        default = setting.text(setting.default) or "the level's style on every floor"
    if setting.kind == "bool":
        text = f"{setting.description} (default: {'on' if setting.default else 'off'})"
        parser.add_argument(*names, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=text)
        return
    text = f"{setting.description}: {setting.allowed()} (default: {default})"
    if setting.kind == "choice":
        assert setting.choices is not None
        parser.add_argument(*names, dest=dest, choices=list(setting.choices()), help=text)
    elif setting.kind == "cells":
        parser.add_argument(*names, dest=dest, nargs=2, type=int, metavar=("X", "Y"), help=text)
    elif setting.kind == "styles":  # checked with the spec, which names the field
        parser.add_argument(*names, dest=dest, type=setting.parse, metavar="STYLE,...", help=text)
    else:
        kinds: dict[str, type] = {"int": int, "float": float, "colour": str}
        parser.add_argument(*names, dest=dest, type=kinds[setting.kind], help=text)


def _folder(text: str) -> Path:
    if not text:  # Path("") is the current folder, never what was meant
        raise argparse.ArgumentTypeError("must name a folder, got ''")
    return Path(text)


def _output_flags() -> OneLineParser:
    flags = OneLineParser(add_help=False)
    flags.add_argument(
        "--out", type=_folder, default=Path("out"), help="output folder, created if missing (default: %(default)s)"
    )
    flags.add_argument(
        "--formats",
        default="blend,glb,json,png",
        help=f"comma-separated outputs out of {','.join(FORMATS)} "
        "(usd is a .usdz package with its textures; default: %(default)s)",
    )
    flags.add_argument(
        "--engine",
        default="cycles",
        choices=list(ENGINES),
        help="render engine for the PNG: cycles (on the CPU, denoised) or eevee (default: %(default)s)",
    )
    flags.add_argument(
        "--render",
        default="preview",
        choices=list(QUALITIES),
        help=f"render preset of the engine for the PNG: preview ({_describe_presets('preview')}), final "
        f"({_describe_presets('final')}) or footage ({_describe_presets('footage')}) (default: %(default)s)",
    )
    flags.add_argument(
        "--samples",
        type=int,
        help="the engine's samples for the PNG (Cycles' path samples, EEVEE's anti-aliasing samples), "
        "1 to 4096 (default: the preset's)",
    )
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
    flags.add_argument(
        "--estimate",
        action="store_true",
        help="print the expected faces, peak memory (bytes) and seconds as JSON and build nothing",
    )
    return flags


def _describe_presets(quality: str) -> str:
    """'16 samples, 800x450 in Cycles; 16 samples, 800x450 in EEVEE' for --help."""
    presets = (RENDER_PRESETS[preset_key(engine, quality)] for engine in ENGINES)
    return "; ".join(
        f"{p.samples} samples, {p.resolution[0]}x{p.resolution[1]} in {ENGINE_LABELS[p.engine]}" for p in presets
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_work"]:  # a batch's worker process (not a user command)
        from .worker import serve

        return serve()
    parser = build_parser()
    try:
        args = parser.parse_args(attach_dash_values(argv, parser))
    except SystemExit as exit_request:  # --help, --version, or a bad argument already reported
        return int(exit_request.code or 0)
    try:
        if args.command == "info":
            print(json.dumps(info(), indent=1))
            return EXIT_OK
        if args.command == "walk":
            return run_walk(args)
        if args.command == "footage":
            return run_footage(args)
        job = _job(args)
        cost, estimate = _estimate(job, args)
        if args.estimate:
            _warn_if_slow(cost, "each level" if args.command == "batch" else "this level")
            print(json.dumps(estimate, indent=1))
            return EXIT_OK
        if args.command == "generate":
            return _generate(job, 0 if args.seed is None else args.seed, cost)
        return _batch(job, args, cost)
    except InvalidSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _job(args: argparse.Namespace) -> Job:
    """The run's Job from the flags, every value checked (the spec with seed 0 stands for all seeds)."""
    named = (setting.name for setting in SETTINGS if setting.name != "seed")
    overrides = {name: getattr(args, name) for name in named if getattr(args, name, None) is not None}
    job = Job(
        preset=args.preset,
        overrides=overrides,
        formats=parse_formats(args.formats),
        out=args.out,
        name=args.name,
        render=preset_key(args.engine, args.render),
        samples=None if args.samples is None else parse_samples(args.samples),
        resolution=None if args.resolution is None else parse_resolution(args.resolution),
        draco=args.draco,
        collision=args.collision,
    )
    job.spec(getattr(args, "seed", None) or 0)
    check_out(args.out)
    return job


def _estimate(job: Job, args: argparse.Namespace) -> tuple[RunCost, dict[str, object]]:
    """The cost of each level of the run and of the run, before anything is built: a level over
    the memory limit is refused."""
    spec = job.spec(getattr(args, "seed", None) or 0)
    preset = RENDER_PRESETS[job.render]
    resolution, samples = job.resolution or preset.resolution, job.samples or preset.samples
    batch = args.command == "batch"
    cost = estimate_run(spec, job.formats, resolution, samples, started=batch, engine=preset.engine)
    check_run(spec, cost)
    if not batch:
        return cost, cost.to_dict()
    seeds = parse_seeds(args.seeds)
    if args.shard:
        seeds = shard(seeds, *parse_shard(args.shard))
    cores = os.cpu_count() or 1
    return cost, estimate_batch(spec, job.formats, len(seeds), args.jobs, resolution, samples, cores, preset.engine)


def _warn_if_slow(cost: RunCost, each: str) -> None:
    """Once the input is known to be good: say so when a level will take over a minute."""
    if cost.over_a_minute:
        print(f"warning: {each} will take {cost.warning()}", file=sys.stderr)


def info() -> dict[str, object]:
    """What this build offers, for scripts and schedulers: presets, settings, versions."""
    return {
        "version": ADDON_VERSION,
        "generator_version": GENERATOR_VERSION,
        **_runtime_versions(),
        "presets": {
            key: {"label": p.label, "description": p.description, "values": p.values}
            for key, p in LEVEL_PRESETS.items()
        },
        "algorithms": dict(ALGORITHM_LABELS),
        "styles": {key: style.label for key, style in STYLES.items()},
        "formats": list(FORMATS),
        "engines": list(ENGINES),
        "render_presets": {key: asdict(preset) for key, preset in RENDER_PRESETS.items()},
        "spec_fields": {setting.name: _describe(setting) for setting in SETTINGS},
    }


def _describe(setting: Setting) -> dict[str, object]:
    limits = setting.limits
    return {
        "type": setting.kind,
        "default": list(setting.default) if setting.kind in ("cells", "styles") else setting.default,
        "range": setting.allowed(),
        "min": None if limits is None else limits.low,
        "max": None if limits is None else limits.high,
        "unit": None if limits is None else limits.unit or None,
        "choices": list(setting.choices()) if setting.choices else None,
        "label": setting.label,
        "description": setting.description,
        "panel": setting.panel,
        "flag": setting.flag,
    }


def _runtime_versions() -> dict[str, object]:
    """Python's, numpy's and Blender's versions (None where no Blender is installed)."""
    import numpy

    return {
        "python_version": platform.python_version(),
        "numpy_version": numpy.__version__,
        "blender_version": _blender_version(),
    }


def _blender_version() -> str | None:
    """The running Blender's, or the installed bpy module's, read without loading Blender."""
    running = sys.modules.get("bpy")
    if running is not None:
        return str(running.app.version_string)
    try:
        return importlib.metadata.version("bpy")
    except importlib.metadata.PackageNotFoundError:
        return None


def _generate(job: Job, seed: int, cost: RunCost) -> int:
    check_name(job.name, [seed], job.preset)
    if job.formats != ("json",) and not _has_blender():
        return EXIT_FAILED
    _check_draco(job)
    _prepare_out(job, job.stem(seed))
    _warn_if_slow(cost, "this level")
    record = build_level(job, Task(seed, job.formats))
    if record["status"] != "ok":
        print(f"error: seed {seed}: {record['error']}", file=sys.stderr)
        return EXIT_FAILED
    for entry in record["files"].values():
        print(f"wrote {job.out / entry['path']} ({entry['bytes'] / 1024:.0f} KiB)")
    seconds = record["timings"]["total"]
    print(f"level seed {seed}: {record['faces']} faces, {record['fixtures']} fixtures, {seconds:.1f} s")
    return EXIT_OK


def _check_draco(job: Job) -> None:
    """--draco needs the Draco library in this Blender's glTF exporter (the 4.2 wheel has none):
    refused before any level is built."""
    if not job.draco or "glb" not in job.formats or importlib.util.find_spec("bpy") is None:
        return
    from ..core.errors import BackroomsError
    from ..realize.gltf import require_draco

    try:
        require_draco()
    except BackroomsError as error:
        raise InvalidSpecError("draco", str(error).removeprefix("draco: ")) from None


def _prepare_out(job: Job, stem: str | None = None) -> None:
    """Make the output folder, refuse one where nothing can be written, and clear the temporary
    files of runs that were killed (of the outputs named `stem`, or all); the files that other
    runs sharing the folder are writing stay."""
    prepare_out(job.out, partial_path(job.out / "write-test.probe"))
    remove_abandoned_partial_files(job.out, stem)


def _has_blender() -> bool:
    try:
        import bpy  # noqa: F401
    except ImportError:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        return False
    return True


def _batch(job: Job, args: argparse.Namespace, cost: RunCost) -> int:
    seeds = parse_seeds(args.seeds)
    check_name(job.name, seeds, job.preset)  # every shard checks the whole run's names
    if args.shard:
        seeds = shard(seeds, *parse_shard(args.shard))
    check_workers(args.jobs, args.dask, "build")
    if not args.dask:  # a cluster's Blender may differ from this one
        _check_draco(job)
    manifest = Manifest(job.out / MANIFEST, warnings=sys.stderr)
    manifest.check()
    _prepare_out(job)
    _warn_if_slow(cost, "each level")
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
