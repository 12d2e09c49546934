"""The `footage` command: a walk's frames rendered as jobs (workers, shards, Dask), then encoded with its sound."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.camcorder import DEFAULT_START, LOOKS, look_named
from ..core.errors import InvalidSpecError
from ..core.footage import frame_file, missing_frames, parse_frames
from ..core.render import ENGINES, FOOTAGE_RESOLUTION, RENDER_PRESETS
from ..core.stream import Walk, plan_walk
from ..core.walk_document import walk_document
from . import backends
from .batch import (
    MAX_JOBS,
    ProgressReport,
    check_workers,
    parse_resolution,
    parse_samples,
    parse_shard,
    prepare_out,
    shard,
)
from .walk import add_walk_flags, walk_inputs
from .worker import atomically, partial_path, remove_abandoned_partial_files


@dataclass(frozen=True)
class FrameTask:
    """One frame to render."""

    frame: int

    def order(self) -> dict[str, Any]:
        return {"frame": self.frame}


@dataclass(frozen=True)
class FootageJob:
    """What every frame of a run shares: the prepared scene and the output folder."""

    blend: Path
    out: Path
    kind: str = "footage"

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "blend": str(self.blend), "out": str(self.out)})

    @classmethod
    def from_json(cls, text: str) -> FootageJob:
        data = json.loads(text)
        return cls(Path(data["blend"]), Path(data["out"]))

    def run(self, order: dict[str, Any]) -> dict[str, Any]:
        """Render one frame (the scene is opened once per process); its record, never raises."""
        frame = int(order["frame"])
        started = time.perf_counter()
        record: dict[str, Any] = {"frame": frame, "status": "ok", "timings": {}}
        try:
            import bpy

            from ..realize.camcorder import install_handler
            from ..realize.footage import render_frame

            if Path(bpy.data.filepath or "-").resolve() != self.blend.resolve():
                bpy.ops.wm.open_mainfile(filepath=str(self.blend))
                install_handler()  # a worker is not Blender with the add-on enabled: it draws the tape itself
            atomically(frame_file(self.out, frame), lambda path: render_frame(bpy.context.scene, frame, path))
            seconds = round(time.perf_counter() - started, 3)
            _write_text(frame_file(self.out, frame, ".json"), json.dumps({"frame": frame, "seconds": seconds}))
        except Exception as error:  # one failing frame is reported and the others go on
            record["status"] = "failed"
            record["error"] = f"{type(error).__name__}: {error}"
        record["timings"]["total"] = round(time.perf_counter() - started, 3)
        return record


def add_footage_command(commands: Any, level: argparse.ArgumentParser, add_flag: Any, folder: Any) -> None:
    """`footage`: the walk's flags, the look, the render settings, the frames, the workers."""
    footage = commands.add_parser(
        "footage",
        parents=[level],
        help="a walk rendered as camcorder footage: frames, then an MP4 with its sound",
        description="Walk the level as `walk` does, render each frame to DIR/frames/NNNNNN.png (frames count "
        "from 1) and, once every frame of the walk is there, encode DIR/NAME.mp4 (H.264 and AAC, by Blender's "
        "FFmpeg) and write DIR/NAME.json. Runs that share DIR (shards, machines) split the frames; a run "
        "renders only the frames missing, so a stopped run resumes.",
    )
    add_walk_flags(footage, add_flag)
    footage.add_argument("--out", type=folder, default=Path("out"), help="output folder (default: %(default)s)")
    footage.add_argument("--name", default="footage", help="file name stem of the video (default: %(default)s)")
    footage.add_argument("--look", default="vhs", help=f"the tape look: {', '.join(LOOKS)} (default: %(default)s)")
    width, height = FOOTAGE_RESOLUTION
    footage.add_argument(
        "--date",
        help="the camcorder clock at the first frame, YYYY-MM-DD HH:MM[:SS] "
        f"(default: {DEFAULT_START:%Y-%m-%d %H:%M:%S})",
    )
    footage.add_argument("--resolution", help=f"frame size, WIDTHxHEIGHT (default: {width}x{height})")
    footage.add_argument(
        "--samples", type=int, help=f"render samples, 1 to 4096 (default: {RENDER_PRESETS['footage'].samples})"
    )
    footage.add_argument(
        "--engine", default="cycles", choices=list(ENGINES), help="cycles (on the CPU) or eevee (default: cycles)"
    )
    footage.add_argument("--frames", help="only these frames, A-B (default: every frame of the walk)")
    footage.add_argument("--jobs", type=int, default=1, help=f"local worker processes, 1 to {MAX_JOBS} (default: 1)")
    footage.add_argument("--shard", help="K/N: render every N-th frame starting at the K-th (K from 0)")
    footage.add_argument("--dask", metavar="ADDRESS", help="render on a Dask cluster (DIR shared with its workers)")


def run_footage(args: argparse.Namespace) -> int:
    """Check every input, prepare the scene once, render the missing frames, encode when all are there."""
    spec, settings = walk_inputs(args)
    look_named(args.look)
    start = parse_date(args.date)
    resolution = parse_resolution(args.resolution) if args.resolution else FOOTAGE_RESOLUTION
    samples = None if args.samples is None else parse_samples(args.samples)
    check_workers(args.jobs, args.dask, "render")
    walk = plan_walk(spec, **settings)  # pure and quick: the frame count, before anything is written
    first, last = parse_frames(args.frames, walk.route.frame_count)
    wanted = list(range(first, last + 1))
    if args.shard:
        wanted = shard(wanted, *parse_shard(args.shard))
    if importlib.util.find_spec("bpy") is None:
        print("error: Blender's bpy module is not installed (pip install bpy)", file=sys.stderr)
        return 1
    out, blend = args.out, args.out / f"{args.name}.blend"
    prepare_out(out, partial_path(out / "write-test.probe"))
    (out / "frames").mkdir(exist_ok=True)
    remove_abandoned_partial_files(out)
    remove_abandoned_partial_files(out / "frames")
    if not blend.exists():  # shards build the same scene; whichever renames last, it is the same
        atomically(blend, lambda path: _prepare(spec, settings, args, (resolution, samples, start), path))
    todo = missing_frames(out, wanted)
    print(f"{len(wanted)} frames: {len(wanted) - len(todo)} already rendered, {len(todo)} to render", file=sys.stderr)
    failed = _render(FootageJob(blend, out), [FrameTask(f) for f in todo], args)
    if failed:
        print(f"{failed} frames failed; run again to render them", file=sys.stderr)
        return 1
    if missing_frames(out, list(range(1, walk.route.frame_count + 1))):
        print("not every frame of the walk is rendered yet (other shards?): no video yet", file=sys.stderr)
        return 0
    _finish(walk, args.look, args, blend, resolution)
    return 0


def parse_date(text: str | None) -> datetime:
    """`--date`: when the tape's clock starts."""
    if text is None:
        return DEFAULT_START
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidSpecError("date", f"must be YYYY-MM-DD HH:MM[:SS], got {text!r}") from None


def _prepare(
    spec: Any, settings: dict[str, Any], args: argparse.Namespace, render: tuple[Any, Any, datetime], path: Path
) -> None:
    """The walk built in a new file and set up as footage (`render`: the frame size, the samples
    and the clock's start), saved to `path` for the workers."""
    size, samples, start = render
    import bpy

    from .. import api
    from ..realize.footage import set_up_footage
    from ..realize.output import save_blend

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.walk(spec, scene=scene, **settings)
    set_up_footage(scene, level, args.look, args.engine, samples, size, start)
    save_blend(path)


def _render(job: FootageJob, tasks: list[FrameTask], args: argparse.Namespace) -> int:
    """Render the frames with the chosen backend, showing progress; how many failed."""
    if not tasks:
        return 0
    if args.dask:
        records = backends.dask_cluster(job, tasks, args.dask)
    elif args.jobs > 1:
        records = backends.local_workers(job, tasks, args.jobs)
    else:
        records = backends.in_process(job, tasks)
    progress, failed = ProgressReport(len(tasks), unit="frame"), 0
    for record in records:
        progress.update(record)
        failed += record["status"] != "ok"
    return failed


def _finish(walk: Walk, look: str, args: argparse.Namespace, blend: Path, size: tuple[int, int]) -> None:
    """The video (unless a run already made it) and the document with the render times."""
    out, video = args.out, args.out / f"{args.name}.mp4"
    if not video.exists():
        _encode(walk, blend, size, video)
        print(f"wrote {video} ({video.stat().st_size / 1024:.0f} KiB)")
    frames = range(1, walk.route.frame_count + 1)
    seconds = [_seconds(out, frame) for frame in frames]
    document = {
        **walk_document(walk),
        "look": look,
        "render": {"engine": args.engine, "resolution": list(size), "samples": args.samples},
        "frame_seconds": seconds,
    }
    target = out / f"{args.name}.json"
    _write_text(target, json.dumps(document, separators=(",", ":")))
    print(f"wrote {target} ({target.stat().st_size / 1024:.0f} KiB)")


def _encode(walk: Walk, blend: Path, size: tuple[int, int], video: Path) -> None:
    """The frames and the scene's mixed-down sound, encoded by Blender."""
    import bpy

    from ..realize.footage import encode

    bpy.ops.wm.open_mainfile(filepath=str(blend))
    sound = None
    if bpy.app.build_options.audaspace:
        from ..realize.footage_sound import mixdown

        sound = mixdown(bpy.context.scene, partial_path(video.with_suffix(".wav")))
    frames = [frame_file(video.parent, f) for f in range(1, walk.route.frame_count + 1)]
    try:
        atomically(video, lambda path: encode(frames, walk.route.fps, size, sound, path))
    finally:
        if sound is not None and sound.exists():
            os.unlink(sound)


def _write_text(target: Path, text: str) -> None:
    def write(path: Path) -> None:
        path.write_text(text + "\n", encoding="utf-8")

    atomically(target, write)


def _seconds(out: Path, frame: int) -> float | None:
    """A frame's render time, as its renderer wrote it beside the frame (None when unknown)."""
    try:
        return float(json.loads(frame_file(out, frame, ".json").read_text())["seconds"])
    except (OSError, ValueError, KeyError):
        return None
