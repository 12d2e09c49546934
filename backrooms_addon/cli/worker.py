"""Building one level and writing its files, each complete before it gets its final name."""

from __future__ import annotations

import ctypes
import json
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from ..core.plan import LevelPlan, plan_level
from ..core.render import RENDER_PRESETS
from .batch import Job, Task

# Lines a worker process prints for its parent start with this; Blender's own output does not.
RECORD_PREFIX = "BACKROOMS-RECORD "
# The order files are written in: the .blend and the exports before the slow render.
WRITE_ORDER = ("json", "blend", "glb", "usd", "png")
# Temporary files are named .NAME.partial-HOST-PID.EXT: the writer's machine and process id tell
# whether it is still at work (several runs may share a folder, on one machine or many).
PARTIAL_MARKER = ".partial-"
HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:63] or "host"
# Blender saves a .blend as NAME@ first and renames it: a writer killed then leaves that one too.
_PARTIAL = re.compile(r"\.(?P<stem>.+)\.partial-(?:(?P<host>[A-Za-z0-9_-]+)-)?(?P<pid>\d+)\.[A-Za-z0-9]+@?")
# Another machine's temporary file counts as abandoned once untouched for this long: no export
# pauses between two writes for hours.
STALE_PARTIAL_SECONDS = 6 * 3600
# A worker whose batch is gone leaves with this status, before it writes anything more.
EXIT_ORPHANED = 3


def partial_path(final: Path) -> Path:
    """The temporary name `final` is written under (same suffix, for the exporters' sake)."""
    return final.with_name(f".{final.stem}{PARTIAL_MARKER}{HOST}-{os.getpid()}{final.suffix}")


def atomically(final: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary name beside `final`, then rename: a killed run never leaves a
    truncated file under a final name."""
    temporary = partial_path(final)
    try:
        write(temporary)
        os.replace(temporary, final)
    finally:
        if temporary.exists():
            temporary.unlink()


def remove_abandoned_partial_files(folder: Path, stem: str | None = None) -> list[Path]:
    """Remove the temporary files (of the outputs named `stem`, or all) whose writer is provably
    gone: a process of this machine that no longer runs, or any writer once the file is stale.
    Files that other runs sharing the folder are writing stay."""
    removed = []
    now = time.time()
    for path in folder.glob(f".*{PARTIAL_MARKER}*"):
        match = _PARTIAL.fullmatch(path.name)
        if match is None or (stem is not None and match["stem"] != stem):
            continue
        try:
            info = path.stat()
            if path.is_file() and _abandoned(match["host"], int(match["pid"]), now - info.st_mtime):
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # renamed or removed by its writer meanwhile
            continue
    return removed


def _abandoned(host: str | None, pid: int, age: float) -> bool:
    if age > STALE_PARTIAL_SECONDS:
        return True
    if host not in (None, HOST):  # another machine's process: only its age tells
        return False
    return not _process_runs(pid)


def _process_runs(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill cannot probe without harm
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        pass
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process that its parent has not reaped yet (Linux; elsewhere assumed not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def build_level(job: Job, task: Task) -> dict[str, Any]:
    """Build seed `task.seed` and write its missing files; a record for the manifest, never raises."""
    started = time.perf_counter()
    record: dict[str, Any] = {"seed": task.seed, "status": "ok", "files": {}, "timings": {}}
    try:
        spec = job.spec(task.seed)
        record["spec"] = spec.to_dict()
        job.out.mkdir(parents=True, exist_ok=True)
        plan = _build(job, spec, task.formats)
        record["layout_sha256"] = plan.layout.digest()
        record["faces"], record["fixtures"] = plan.face_count(), len(plan.fixtures)
        record["timings"]["build"] = round(time.perf_counter() - started, 3)
        for fmt in (f for f in WRITE_ORDER if f in task.formats):
            began = time.perf_counter()
            path = job.path(task.seed, fmt)
            atomically(path, _writer(fmt, job, plan))
            record["files"][fmt] = {"path": path.name, "bytes": path.stat().st_size}
            record["timings"][fmt] = round(time.perf_counter() - began, 3)
    except Exception as error:  # one failing level is reported and the others go on
        record["status"] = "failed"
        record["error"] = f"{type(error).__name__}: {error}"
        record["traceback"] = traceback.format_exc(limit=6)
    record["timings"]["total"] = round(time.perf_counter() - started, 3)
    return record


def _build(job: Job, spec: Any, formats: tuple[str, ...]) -> LevelPlan:
    if formats == ("json",):  # the layout alone needs no Blender
        return plan_level(spec)
    import bpy

    from .. import api
    from ..realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    # A .glb exports the plan's meshes: kept, not planned again, however big the level.
    level = api.generate(spec, scene=bpy.context.scene, keep_meshes="glb" in formats)
    output.apply_render_preset(bpy.context.scene, RENDER_PRESETS[job.render], job.samples, job.resolution)
    return level.plan


def _writer(fmt: str, job: Job, plan: LevelPlan) -> Callable[[Path], None]:
    def write_json(path: Path) -> None:
        path.write_text(json.dumps(plan.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")

    if fmt == "json":
        return write_json
    import bpy

    from ..realize import output
    from ..realize.gltf import export_game_glb

    scene = bpy.context.scene
    writers: dict[str, Callable[[Path], None]] = {
        "blend": output.save_blend,
        "glb": lambda path: export_game_glb(path, scene, draco=job.draco, collision=job.collision),
        "usd": output.export_usd,
        "png": lambda path: output.render_png(scene, path),
    }
    return writers[fmt]


class WorkJob(Protocol):
    """What a worker process works for: a batch of levels (batch.Job) or the frames of footage
    (footage.FootageJob). Its JSON names its kind; each order is one level or one frame."""

    def to_json(self) -> str: ...

    def run(self, order: dict[str, Any]) -> dict[str, Any]: ...


def job_from_json(text: str) -> WorkJob:
    """The job a worker is started with, of the kind its JSON names (levels when it names none)."""
    if json.loads(text).get("kind") == "footage":
        from .footage import FootageJob

        return FootageJob.from_json(text)
    return Job.from_json(text)


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """The worker end of a batch: a job line, then order lines; a record line for each order.

    Runs in a process that imported Blender once and builds level after level, and stops at once
    when its batch is gone (its files would be on no manifest).
    """
    _die_with_parent()
    job = job_from_json(stdin.readline())
    orders = _Orders(stdin)
    while (line := orders.next()) is not None:
        record = job.run(json.loads(line))
        orders.done()
        try:
            stdout.write(RECORD_PREFIX + json.dumps(record) + "\n")
            stdout.flush()
        except BrokenPipeError:  # the batch went away just now
            return EXIT_ORPHANED
    return 0


class _Orders:
    """Task lines, read by a thread. The batch closes the pipe only once every level it sent is
    reported, so the end of input with a level unreported means the batch was killed: then the
    process exits at once, mid-level, rather than write files no manifest records."""

    def __init__(self, stream: TextIO) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.unreported = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def next(self) -> str | None:
        return self.lines.get()

    def done(self) -> None:
        with self.lock:
            self.unreported -= 1

    def _read(self, stream: TextIO) -> None:
        for line in stream:
            with self.lock:
                self.unreported += 1
            self.lines.put(line)
        with self.lock:
            if self.unreported:
                os._exit(EXIT_ORPHANED)
        self.lines.put(None)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when its parent dies, even inside a long call
    into Blender that holds the interpreter (elsewhere the end of input does it, see _Orders)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
