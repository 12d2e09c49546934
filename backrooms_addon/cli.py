"""Command line: `python -m backrooms_addon generate ...` where Blender is the bpy module."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .core.algorithms import ALGORITHMS
from .core.errors import InvalidSpecError
from .core.spec import LIMITS, LevelSpec
from .core.version import ADDON_VERSION, GENERATOR_VERSION

FORMATS = ("blend", "glb", "json", "png")
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backrooms_addon",
        description="Generate Backrooms levels headlessly with Blender's bpy module.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {ADDON_VERSION} (generator {GENERATOR_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate one level and write its files")
    defaults = LevelSpec()
    _spec_argument(gen, "--seed", "seed", int, defaults.seed, "level seed")
    _spec_argument(gen, "--width", "width", int, defaults.width, "level width")
    _spec_argument(gen, "--depth", "depth", int, defaults.depth, "level depth")
    _spec_argument(
        gen, "--density", "density", float, defaults.density, "wall density: 0 is an open hall, 1 a full maze"
    )
    _spec_argument(gen, "--cell-size", "cell_size", float, defaults.cell_size, "size of one grid cell")
    _spec_argument(gen, "--wall-height", "wall_height", float, defaults.wall_height, "height of walls and ceiling")
    gen.add_argument(
        "--algorithm",
        default=defaults.algorithm,
        choices=sorted(ALGORITHMS),
        help="maze algorithm (default: %(default)s)",
    )
    gen.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder, created if missing (default: %(default)s)"
    )
    gen.add_argument("--name", default="level0", help="file name stem of the outputs (default: %(default)s)")
    gen.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated outputs out of {','.join(FORMATS)} (default: all)",
    )
    gen.add_argument(
        "--samples", type=int, default=16, help="Cycles samples for the PNG, 1 to 4096 (default: %(default)s)"
    )
    gen.add_argument(
        "--resolution",
        default="800x450",
        help="PNG size in pixels, WIDTHxHEIGHT, each 16 to 8192 (default: %(default)s)",
    )
    return parser


def _spec_argument(
    parser: argparse.ArgumentParser, flag: str, field: str, kind: type, default: object, text: str
) -> None:
    limits = LIMITS[field]
    unit = f" {limits.unit}" if limits.unit else ""
    help_text = f"{text}, {limits.low:g} to {limits.high:g}{unit} (default: {default})"
    parser.add_argument(flag, dest=field, type=kind, default=default, help=help_text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        spec = LevelSpec(
            seed=args.seed,
            width=args.width,
            depth=args.depth,
            density=args.density,
            cell_size=args.cell_size,
            wall_height=args.wall_height,
            algorithm=args.algorithm,
        )
        formats = _parse_formats(args.formats)
        samples = _parse_samples(args.samples)
        resolution = _parse_resolution(args.resolution)
    except InvalidSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _generate(spec, args.out, args.name, formats, samples, resolution)


def _parse_formats(text: str) -> list[str]:
    formats = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in formats if item not in FORMATS]
    if unknown or not formats:
        raise InvalidSpecError("formats", f"must be a comma-separated list out of {','.join(FORMATS)}, got {text!r}")
    return formats


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


def _generate(
    spec: LevelSpec, out: Path, name: str, formats: list[str], samples: int, resolution: tuple[int, int]
) -> int:
    try:
        import bpy
    except ImportError:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        return EXIT_FAILED
    from . import api
    from .build import output

    started = time.perf_counter()
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(spec, scene=scene)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "json" in formats:
        path = out / f"{name}.json"
        path.write_text(json.dumps(level.plan.to_json(), indent=1) + "\n", encoding="utf-8")
        written.append(path)
    output.configure_preview_render(scene, samples, resolution)
    if "blend" in formats:
        written.append(out / f"{name}.blend")
        output.save_blend(written[-1])
    if "glb" in formats:
        written.append(out / f"{name}.glb")
        output.export_glb(written[-1])
    if "png" in formats:
        written.append(out / f"{name}.png")
        output.render_png(scene, written[-1])
    elapsed = time.perf_counter() - started
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(
        f"level seed {spec.seed}: {level.plan.face_count()} faces, {len(level.plan.fixtures)} fixtures, {elapsed:.1f} s"
    )
    return EXIT_OK
