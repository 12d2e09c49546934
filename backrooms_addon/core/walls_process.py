"""WallsProcess: a Python process beside Blender's that makes a one-floor level's walls, finished.

A build's planning (numpy) and Blender's upload run in threads of one interpreter, and while the
main thread is in Blender's API it holds the GIL: the two mostly take turns. A level's walls and
their lightmaps are most of its planning and depend on nothing but the spec and the ground floor's
built layout, so this process makes them on a second core (the same code, the same blocks, bit
for bit) while the interpreter that builds the level plans the rest and makes Blender's part.

The process is started the first time a build asks for it and stays for the session: importing
numpy and the core takes longer than a small level's walls, so a build that finds it still
starting, busy or gone makes its walls itself, as it would without it. Arrays go both ways
through files in memory (/dev/shm where it has room, else the temp folder): the layout's into
one file, each block's into another, named in a line of JSON on the process's input or output;
the reader maps the file, removes its name at once (the memory goes with the last array that
uses it) and reads the arrays in place. POSIX only (a mapped file can lose its name there);
elsewhere, and with BACKROOMS_WALLS_PROCESS=0, builds make their walls in a thread as before.
"""

from __future__ import annotations

import atexit
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from .geometry import MeshArrays
from .layout import Layout
from .spec import LevelSpec

ENV = "BACKROOMS_WALLS_PROCESS"  # "0": never start it
LOSSES = 2  # processes lost (ended, or left half read) before a session stops starting them
ALIGN = 64  # bytes: where each array in a file starts
MEMORY_FOLDER_ROOM = 1 << 30  # bytes free in /dev/shm to use it
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds the backrooms_addon package
# Run by the process's interpreter: the package imported from where this one was (it is not
# installed there), only its core, which needs numpy alone.
# Its arguments: that folder, and the folder of the files (which it removes when it ends).
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from backrooms_addon.core.walls_process import serve; serve(folder=sys.argv[2])"
)
_ARRAYS = tuple(f.name for f in fields(MeshArrays) if f.name != "materials")

Arrays = dict[str, npt.NDArray[Any]]
Make = Callable[[LevelSpec, Layout, int], Iterator[MeshArrays]]


class WallsProcessError(RuntimeError):
    """The process ended, or failed, before it gave every block."""


class WallsProcess:
    """The walls' process, started on first use; one request at a time (a second finds it busy)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._folder: Path | None = None
        self._ready = threading.Event()
        self._busy = threading.Lock()
        self._start_lock = threading.Lock()
        self._failed = False
        self._losses = 0

    def blocks(self, spec: LevelSpec, built: Layout, block_faces: int) -> Iterator[MeshArrays] | None:
        """The walls of one-floor `spec` whose ground floor is `built`, finished (core/plan.py
        finished_walls) a block at a time as the process makes them; None (and the process
        started, for the next build) if it is not ready or busy. The request goes when the
        iterator is first read; it raises WallsProcessError if the process is busy by then, or
        fails or is lost half way."""
        if not self.start() or self._busy.locked():
            return None
        with self._start_lock:
            process, folder = self._process, self._folder
        if process is None or folder is None:
            return None
        if process.poll() is not None:  # ended while idle (a signal, say): the next build starts another
            self._discard(process)
            return None
        return self._answers(process, folder, spec, built, block_faces)

    def start(self, wait: float = 0.0) -> bool:
        """Start the process unless it runs (or cannot run here); wait up to `wait` seconds for it
        to be ready. Whether it is ready."""
        if self._failed or os.environ.get(ENV, "1") == "0" or os.name != "posix" or not _python(sys.executable):
            return False
        with self._start_lock:
            if self._process is None:
                self._start()
        return self._ready.wait(wait) if wait > 0 else self._ready.is_set()

    def pid(self) -> int | None:
        """The process's id while it runs (a benchmark reads its memory)."""
        process = self._process
        return None if process is None else process.pid

    def _start(self) -> None:
        folder = None
        try:
            folder = Path(tempfile.mkdtemp(prefix="backrooms-walls-", dir=_memory_folder()))
            # A session of its own: a Ctrl+C meant for Blender's terminal does not end it. It ends
            # when its input closes, so with Blender, whichever way Blender ends.
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, str(_PACKAGE_ROOT), str(folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:  # no temp folder to write, no interpreter to start: walls made here
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            self._failed = True
            return
        self._process, self._folder = process, folder
        if not self._losses:  # the first start
            atexit.register(self.close, wait=False)
        threading.Thread(target=self._await_ready, args=(process,), name="backrooms-walls-start", daemon=True).start()

    def _await_ready(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        if process.stdout.readline().strip() == b"ready":
            self._ready.set()
        else:  # it could not import what it needs: builds make their walls themselves
            self._failed = True
            self._discard(process)

    def _answers(
        self, process: subprocess.Popen[bytes], folder: Path, spec: LevelSpec, built: Layout, block_faces: int
    ) -> Iterator[MeshArrays]:
        assert process.stdin is not None and process.stdout is not None
        if not self._busy.acquire(blocking=False):  # another build took it since blocks()
            raise WallsProcessError("the walls' process is busy")
        in_step = False  # whether the process's answers to this request were all read
        try:
            layout = _write_arrays(folder / f"layout-{os.getpid()}", _layout_arrays(built))
            request = {"spec": spec.to_dict(), "layout": layout, "block_faces": block_faces, "folder": str(folder)}
            try:
                process.stdin.write(json.dumps(request).encode() + b"\n")
                process.stdin.flush()
            except OSError as error:
                raise WallsProcessError(f"the walls' process took no request: {error}") from error
            while True:
                answer = _answer(process.stdout)
                if "error" in answer or answer.get("done"):
                    in_step = True
                    if "error" in answer:
                        raise WallsProcessError(answer["error"])
                    return
                yield MeshArrays(materials=tuple(answer["materials"]), **_read_arrays(folder, answer))
        finally:
            if not in_step:  # lost, or left half read: its answers and this reader are out of step
                self._discard(process)
            self._busy.release()

    def _discard(self, process: subprocess.Popen[bytes]) -> None:
        """End `process` if it is still this one's; the next build starts another, up to LOSSES
        times a session."""
        with self._start_lock:
            if process is not self._process:
                return
            self._losses += 1
            self._failed = self._failed or self._losses >= LOSSES
        self.close(kill=True)

    def close(self, kill: bool = False, wait: bool = True) -> None:
        """End the process (it ends when its input closes; `kill`: at once) and remove its folder;
        `wait`: for it to end (not when Blender quits: it ends by itself)."""
        with self._start_lock:
            process, self._process = self._process, None
            folder, self._folder = self._folder, None
            self._ready.clear()
        if process is not None:
            try:
                if kill:
                    process.kill()
                elif process.stdin is not None:
                    process.stdin.close()
                if kill or wait:
                    process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _answer(stdout: IO[bytes]) -> dict[str, Any]:
    line = stdout.readline()
    if not line:
        raise WallsProcessError("the walls' process ended")
    answer: dict[str, Any] = json.loads(line)
    return answer


def _python(executable: str) -> bool:
    """Whether `executable` is a Python interpreter (inside Blender it is Blender's own Python; an
    embedding that gives its own binary, or none, does not get a process)."""
    return Path(executable).name.lower().startswith("python")


def _memory_folder() -> str | None:
    """Where the files live: in memory where the system has such a folder with room for a big
    level's walls (a container's is often 64 MiB), else the temp folder."""
    shm = Path("/dev/shm")
    try:
        room = os.statvfs(shm)
    except OSError:
        return None
    return str(shm) if room.f_bavail * room.f_frsize >= MEMORY_FOLDER_ROOM and os.access(shm, os.W_OK) else None


def _layout_arrays(built: Layout) -> Arrays:
    origin = np.array(built.origin, np.int64)
    return {"walls_h": built.walls_h, "walls_v": built.walls_v, "solid": built.solid, "origin": origin}


def _layout(arrays: Arrays) -> Layout:
    x, y = arrays["origin"].tolist()
    return Layout(arrays["walls_h"], arrays["walls_v"], arrays["solid"], (x, y))


def _block_message(folder: Path, number: int, block: MeshArrays) -> dict[str, Any]:
    """Write a block's arrays into one file; the message that says where each is."""
    present = {name: getattr(block, name) for name in _ARRAYS if getattr(block, name) is not None}
    return {**_write_arrays(folder / f"block-{os.getpid()}-{number}", present), "materials": list(block.materials)}


def _write_arrays(path: Path, arrays: Arrays) -> dict[str, Any]:
    """Write arrays into one file, each from a multiple of ALIGN bytes; what _read_arrays needs."""
    starts, offset = [], 0
    for array in arrays.values():
        starts.append(offset)
        offset += -(-array.nbytes // ALIGN) * ALIGN
    with open(path, "wb") as file:
        for array, start in zip(arrays.values(), starts, strict=True):
            file.seek(start)
            file.write(np.ascontiguousarray(array).data)
        file.truncate(offset)
    table = [[name, a.dtype.str, list(a.shape), start] for (name, a), start in zip(arrays.items(), starts, strict=True)]
    return {"file": path.name, "size": offset, "arrays": table}


def _read_arrays(folder: Path, written: dict[str, Any]) -> Arrays:
    """The arrays _write_arrays wrote, from its file mapped (private: an array written to is
    copied, the file never changes) and read in place; the file's name goes at once."""
    path = folder / written["file"]
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY) if written["size"] else None
    path.unlink()
    arrays: Arrays = {}
    for name, dtype, shape, offset in written["arrays"]:
        count = int(np.prod(shape))
        if mapped is None or count == 0:
            arrays[name] = np.zeros(shape, dtype)
        else:
            arrays[name] = np.frombuffer(mapped, dtype, count, offset).reshape(shape)
    return arrays


def serve(
    requests: Iterable[bytes] | None = None,
    answers: IO[bytes] | None = None,
    make: Make | None = None,
    folder: Path | str | None = None,
) -> None:
    """The process's loop: a request per line of `requests` until it closes, each answered with
    its blocks' files and a last line saying done (or what went wrong). Then, or once the reader
    is gone, its `folder` and the requests' go, with any file left in them."""
    requests = requests or sys.stdin.buffer
    answers = answers or sys.stdout.buffer
    if make is None:
        from .plan import finished_walls

        make = finished_walls
    folders = set() if folder is None else {Path(folder)}
    try:
        _say(answers, "ready")
        for line in requests:
            request = json.loads(line)
            folders.add(Path(request["folder"]))
            _answer_request(request, answers, make)
    except BrokenPipeError:
        pass  # the reader is gone
    finally:
        for gone in folders:
            shutil.rmtree(gone, ignore_errors=True)


def _answer_request(request: dict[str, Any], answers: IO[bytes], make: Make) -> None:
    folder = Path(request["folder"])
    try:
        built = _layout(_read_arrays(folder, request["layout"]))
        spec = LevelSpec.from_dict(request["spec"])
        for number, block in enumerate(make(spec, built, int(request["block_faces"]))):
            _say(answers, json.dumps(_block_message(folder, number, block)))
        _say(answers, json.dumps({"done": True}))
    except BrokenPipeError:
        raise
    except Exception as error:  # the reader makes the walls itself
        _say(answers, json.dumps({"error": f"{type(error).__name__}: {error}"}))


def _say(answers: IO[bytes], line: str) -> None:
    answers.write(line.encode() + b"\n")
    answers.flush()


_SHARED: WallsProcess | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> WallsProcess:
    """The session's walls process (not started until a build asks it for walls)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = WallsProcess()
        return _SHARED


def close_shared() -> None:
    """End the session's walls process, if one was started (the add-on is being disabled)."""
    global _SHARED
    with _SHARED_LOCK:
        found, _SHARED = _SHARED, None
    if found is not None:
        found.close()
