"""The `footage` command on this machine: frames per minute, a frame early and late in a long walk, the encode.

Run: `.venv-5.0/bin/python benchmarks/bench_footage.py [--quick]` with the Blender 5.0 environment.
Every figure comes from the real command line (`python -m backrooms_addon footage`, Level 0, seed 7)
run as a subprocess into a fresh temporary folder, with the footage defaults: 640 x 480, Cycles on
the CPU, the footage preset's samples (16, denoised), the VHS look. Prints three Markdown tables and
a line on GPUs; nothing here is asserted, it is measured. Progress goes to stderr.

Rendering (`--jobs 1`, then `--jobs 2`): one short walk rendered whole, so each run ends by encoding
its video. The walk is 1 m at 10 fps, 8 frames (`--length 1 --fps 10`; the frame count comes from
core/stream.py plan_walk and is checked against the timing files written). On the 2-core machine
this was written on, a 640 x 480 frame takes about 25 s (one Blender using both cores), so a walk of
24 to 48 frames at 24 fps (`--length 4` is 69) would take 10 to 20 minutes a run, twice that for
the two; the frames are cut to 8 to keep the whole benchmark under ten minutes (8.3 minutes there).
`--length` and `--fps` choose another walk. The frame rate changes only how many frames the walk
has and the video's speed, not what a frame costs to render.
- frames: the walk's frames, all rendered by the run;
- wall (s): the command from start to exit;
- set-up (s): from the start to the moment the prepared scene (NAME.blend) is written: Python and
  bpy start-up, planning and building the walk, setting it up as footage, saving it;
- rendering (s): from NAME.blend written to the last frame's timing file written (NNNNNN.json is
  written just after its frame). It leaves out the set-up and the encode at the end; with --jobs 2
  it includes the start of the two worker processes and their opening of NAME.blend;
- frames per minute: frames / rendering;
- mean s per frame: the mean of the timing files' "seconds" (one frame's render as its worker
  timed it: moving to the frame, rendering, writing the PNG); with two workers sharing two cores
  this is longer than the wall time a frame costs;
- encode etc. (s): from the last frame to the exit: the video, its sound and NAME.json.

A frame early and late in a long walk: a 1 km walk (`--length 1000`, 24 fps); one run renders
`--frames 2-3` (and builds the scene), a second run into the same folder renders the last two
frames, reusing NAME.blend. Not every frame exists, so neither run encodes. Seconds per frame are
the timing files'; set-up is as above (the second run has none).

Encoding: in the `--jobs 1` folder of the first table (every frame there), NAME.mp4 is deleted
and the same command run again: it renders nothing, opens NAME.blend, mixes down the walk's sound
and encodes the frames with Blender's FFmpeg (H.264 and AAC), then rewrites NAME.json.
- wall (s): that run from start to exit; start-up (s): `python -c "import bpy"` alone, timed once,
  for comparison; size: the video's size.

`--quick` checks the script itself in under a minute: 320 x 240, 4 samples, a 1 m walk at
4 fps (3 frames), and a 100 m walk instead of the 1 km one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.stream import plan_walk

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
NAME = "footage"


@dataclass(frozen=True)
class Settings:
    """What every run of the benchmark passes to the command (empty: the footage defaults)."""

    resolution: str | None
    samples: int | None

    def flags(self) -> list[str]:
        flags = [] if self.resolution is None else ["--resolution", self.resolution]
        return flags + ([] if self.samples is None else ["--samples", str(self.samples)])

    def label(self) -> str:
        size = (self.resolution or "640x480").replace("x", " x ")
        samples = "the footage preset's samples" if self.samples is None else f"{self.samples} samples"
        return f"{size}, Cycles on the CPU, {samples}, VHS look"


@dataclass(frozen=True)
class Run:
    """One command run, read when it ended: its folder, start and end (wall clock), when its
    NAME.blend and its last timing file were written, and the seconds of every frame so far."""

    out: Path
    started: float
    ended: float
    blend_written: float
    last_frame_written: float
    seconds: dict[int, float]

    @property
    def wall(self) -> float:
        return self.ended - self.started

    @classmethod
    def read(cls, out: Path, started: float, ended: float) -> Run:
        timing_files = sorted((out / "frames").glob("*.json"))
        records = [json.loads(path.read_text()) for path in timing_files]
        last = max((path.stat().st_mtime for path in timing_files), default=ended)
        seconds = {int(r["frame"]): float(r["seconds"]) for r in records}
        return cls(out, started, ended, (out / f"{NAME}.blend").stat().st_mtime, last, seconds)


def frame_count(length: float, fps: int) -> int:
    return plan_walk(preset_spec("LEVEL_0", seed=SEED), length=length, fps=fps).route.frame_count


def footage(out: Path, length: float, fps: int, settings: Settings, *extra: str) -> Run:
    """Run the footage command once, to its exit; it must succeed."""
    command = [sys.executable, "-m", "backrooms_addon", "footage", "--seed", str(SEED), "--length", f"{length:g}"]
    command += ["--fps", str(fps), "--out", str(out), "--name", NAME, *settings.flags(), *extra]
    print("$ " + " ".join(command[1:]), file=sys.stderr, flush=True)
    started = time.time()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    ended = time.time()
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit(f"footage failed with exit status {result.returncode}")
    return Run.read(out, started, ended)


def start_up_seconds() -> tuple[float, str]:
    """Seconds to start Python and import bpy (once); Blender's version."""
    started = time.perf_counter()
    version = subprocess.run(
        [sys.executable, "-c", "import bpy; print(bpy.app.version_string)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    return time.perf_counter() - started, version


def rendering_table(runs: dict[int, Run], frames: int) -> None:
    print("| --jobs | frames | wall (s) | set-up (s) | rendering (s) | frames per minute | mean s per frame "
          "| encode etc. (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for jobs, run in runs.items():
        seconds = run.seconds
        if len(seconds) != frames:
            raise SystemExit(f"--jobs {jobs}: {len(seconds)} timing files, the walk has {frames} frames")
        set_up = run.blend_written - run.started
        rendering = run.last_frame_written - run.blend_written
        tail = run.ended - run.last_frame_written
        print(
            f"| {jobs} | {frames} | {run.wall:.1f} | {set_up:.1f} | {rendering:.1f} | {frames / rendering * 60:.2f} "
            f"| {statistics.mean(seconds.values()):.1f} | {tail:.1f} |"
        )


def long_walk_table(length: float, frames: int, early: Run, late: Run) -> None:
    print("| walk | run | frames rendered | set-up (s) | wall (s) | seconds per frame (timing files) |")
    print("|---|---|---|---|---|---|")
    seen: set[int] = set()
    for label, run in (("early", early), ("late", late)):
        times = {frame: s for frame, s in run.seconds.items() if frame not in seen}
        seen.update(times)
        set_up = run.blend_written - run.started
        set_up_text = f"{set_up:.1f}" if set_up > 0 else "none (.blend reused)"
        rendered = ", ".join(f"{frame:,}" for frame in times)
        per_frame = ", ".join(f"{s:.1f}" for s in times.values())
        print(f"| {length:,g} m, {frames:,} frames | {label} | {rendered} | {set_up_text} | {run.wall:.1f} "
              f"| {per_frame} |")  # fmt: skip


def encode_table(run: Run, frames: int, fps: int, start_up: float) -> None:
    video = run.out / f"{NAME}.mp4"
    print("| frames | video length (s) | wall (s) | start-up (s) | size (KiB) |")
    print("|---|---|---|---|---|")
    print(f"| {frames} | {frames / fps:.2f} | {run.wall:.1f} | {start_up:.1f} | {video.stat().st_size / 1024:.0f} |")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small run to check the script (320x240, 3 frames)")
    parser.add_argument("--length", type=float, help="metres of the walk rendered whole (default: 1)")
    parser.add_argument("--fps", type=int, help="frames per second of that walk (default: 10; --quick 4)")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    settings = Settings("320x240", 4) if args.quick else Settings(None, None)
    length, fps = args.length or 1.0, args.fps or (4 if args.quick else 10)
    long_length = 100.0 if args.quick else 1000.0
    frames, long_frames = frame_count(length, fps), frame_count(long_length, 24)
    start_up, version = start_up_seconds()
    with tempfile.TemporaryDirectory(prefix="bench-footage-") as folder:
        base = Path(folder)
        runs = {jobs: footage(base / f"jobs{jobs}", length, fps, settings, "--jobs", str(jobs)) for jobs in (1, 2)}
        long_out = base / "long"
        early = footage(long_out, long_length, 24, settings, "--frames", "2-3")
        late = footage(long_out, long_length, 24, settings, "--frames", f"{long_frames - 1}-{long_frames}")
        (runs[1].out / f"{NAME}.mp4").unlink()
        encode = footage(runs[1].out, length, fps, settings, "--jobs", "1")
        print(f"Blender {version}, {os.cpu_count()} CPUs; {settings.label()}.\n")
        print(f"Rendering a whole walk of {length:g} m at {fps} fps, seed {SEED}:\n")
        rendering_table(runs, frames)
        print("\nA frame early and late in a long walk (24 fps, seed 7):\n")
        long_walk_table(long_length, long_frames, early, late)
        print("\nEncoding the --jobs 1 folder again (MP4 deleted; nothing left to render):\n")
        encode_table(encode, frames, fps, start_up)
    print()
    if shutil.which("nvidia-smi") is None:
        print("No GPU figures: there is no GPU on this machine (no nvidia-smi), so only Cycles on the CPU is measured.")
    else:
        print("No GPU figures: nvidia-smi is present, but this benchmark measures Cycles on the CPU only.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
