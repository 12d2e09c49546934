"""Command line: `python -m backrooms_addon generate ...` where Blender is the bpy module."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from .core.algorithms import ALGORITHMS
from .core.errors import InvalidSpecError
from .core.levels import DEFAULT_PRESET, LEVEL_PRESETS, preset_spec
from .core.plan import LevelPlan, plan_level
from .core.render import RENDER_PRESETS, RenderPreset
from .core.spec import LIMITS, LevelSpec
from .core.version import ADDON_VERSION, GENERATOR_VERSION

FORMATS = ("blend", "glb", "json", "png")
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


# Spec fields the command line sets, with the words --help uses for them.
SPEC_FLAGS = {
    "seed": "level seed",
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
    "dampness": "damp patches in the carpet",
}


class OneLineParser(argparse.ArgumentParser):
    """Reports bad arguments in one line naming the flag, with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="backrooms_addon",
        description="Generate Backrooms levels headlessly with Blender's bpy module.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {ADDON_VERSION} (generator {GENERATOR_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate",
        help="generate one level and write its files",
        description="Generate one level and write its files. Spec flags override the preset's values; "
        f"the defaults shown are those of {DEFAULT_PRESET}.",
    )
    defaults = LevelSpec()
    gen.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=list(LEVEL_PRESETS),
        help="built-in level preset the other flags start from (default: %(default)s)",
    )
    # Spec flags default to None, meaning "the preset's value".
    for field, text in SPEC_FLAGS.items():
        kind = int if LIMITS[field].integer else float
        default = getattr(defaults, field)
        help_text = f"{text}: {LIMITS[field].describe()} (default: {default})"
        gen.add_argument(f"--{field.replace('_', '-')}", dest=field, type=kind, help=help_text)
    gen.add_argument(
        "--origin",
        nargs=2,
        type=int,
        metavar=("X", "Y"),
        help=f"world cell of the region's south-west corner: {LIMITS['origin_x'].describe()} each (default: 0 0)",
    )
    gen.add_argument(
        "--no-perimeter",
        dest="perimeter",
        action="store_false",
        default=None,
        help="leave the region's outer edges as the world has them instead of closing them with walls",
    )
    gen.add_argument(
        "--no-hum", dest="hum", action="store_false", default=None, help="no humming speakers at the troffers"
    )
    gen.add_argument(
        "--wallpaper-tint",
        help=f"sRGB colour #RRGGBB the wallpaper is tinted to (default: {defaults.wallpaper_tint})",
    )
    gen.add_argument(
        "--algorithm",
        choices=list(ALGORITHMS),
        help=f"maze algorithm (default: {defaults.algorithm})",
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
        "--render",
        default="preview",
        choices=list(RENDER_PRESETS),
        help="render preset for the PNG: preview (16 samples, 800x450) or final (256 samples, 1920x1080), "
        "Cycles on the CPU, denoised (default: %(default)s)",
    )
    gen.add_argument("--samples", type=int, help="Cycles samples for the PNG, 1 to 4096 (default: the preset's)")
    gen.add_argument("--resolution", help="PNG size in pixels, WIDTHxHEIGHT, each 16 to 8192 (default: the preset's)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or a bad argument already reported
        return int(exit_request.code or 0)
    try:
        named = (*SPEC_FLAGS, "origin", "algorithm", "perimeter", "hum", "wallpaper_tint")
        given = {field: getattr(args, field) for field in named if getattr(args, field) is not None}
        spec = preset_spec(args.preset, **given)
        formats = _parse_formats(args.formats)
        samples = None if args.samples is None else _parse_samples(args.samples)
        resolution = None if args.resolution is None else _parse_resolution(args.resolution)
        render = RenderSettings(RENDER_PRESETS[args.render], samples, resolution)
    except InvalidSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _generate(spec, args.out, args.name, formats, render)


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


@dataclass(frozen=True)
class RenderSettings:
    preset: RenderPreset
    samples: int | None
    resolution: tuple[int, int] | None


def _generate(spec: LevelSpec, out: Path, name: str, formats: list[str], render: RenderSettings) -> int:
    started = time.perf_counter()
    if formats == ["json"]:
        # The layout alone needs no Blender.
        plan = plan_level(spec)
        written = [_write_json(plan, out, name)]
    else:
        outcome = _generate_in_blender(spec, out, name, formats, render)
        if outcome is None:
            return EXIT_FAILED
        plan, written = outcome
    elapsed = time.perf_counter() - started
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"level seed {spec.seed}: {plan.face_count()} faces, {len(plan.fixtures)} fixtures, {elapsed:.1f} s")
    return EXIT_OK


def _write_json(plan: LevelPlan, out: Path, name: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(plan.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def _generate_in_blender(
    spec: LevelSpec, out: Path, name: str, formats: list[str], render: RenderSettings
) -> tuple[LevelPlan, list[Path]] | None:
    try:
        import bpy
    except ImportError:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        return None
    from . import api
    from .build import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(spec, scene=scene)
    out.mkdir(parents=True, exist_ok=True)
    written = [_write_json(level.plan, out, name)] if "json" in formats else []
    output.apply_render_preset(scene, render.preset, render.samples, render.resolution)
    if "blend" in formats:
        written.append(out / f"{name}.blend")
        output.save_blend(written[-1])
    if "glb" in formats:
        written.append(out / f"{name}.glb")
        output.export_glb(written[-1])
    if "png" in formats:
        written.append(out / f"{name}.png")
        output.render_png(scene, written[-1])
    return level.plan, written
