"""Where a batch's levels are built: in this process, in worker processes, or on a Dask cluster."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .batch import Job, Task
from .worker import RECORD_PREFIX, build_level

PACKAGE_PARENT = Path(__file__).resolve().parents[1]


def in_process(job: Job, tasks: list[Task]) -> Iterator[dict[str, Any]]:
    """One level after another in this process (which imports Blender once)."""
    for task in tasks:
        yield build_level(job, task)


def worker_command() -> list[str]:
    """How to start a worker: Blender itself where this runs inside Blender, else this Python
    with Blender as the bpy module."""
    try:
        import bpy

        binary = bpy.app.binary_path
    except ImportError:
        binary = ""
    if binary:  # with the user's preferences, where the extension is enabled
        return [binary, "--background", "--command", "backrooms", "_work"]
    return [sys.executable, "-m", "backrooms_addon", "_work"]


class WorkerProcess:
    """A worker process that imports Blender once and builds the levels it is sent, one by one."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.process: subprocess.Popen[str] | None = None

    def build(self, task: Task) -> dict[str, Any]:
        """Build one level; a worker that dies on it is reported in the record and replaced."""
        process = self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"seed": task.seed, "formats": list(task.formats)}) + "\n")
            process.stdin.flush()
            record = _next_record(process.stdout)
        except BrokenPipeError:
            record = None
        if record is None:
            code = process.wait()
            self.process = None
            return {"seed": task.seed, "status": "failed", "error": f"worker process stopped ({code})", "files": {}}
        return record

    def close(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None

    def _running(self) -> subprocess.Popen[str]:
        if self.process is None:
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])),
            }
            self.process = subprocess.Popen(
                worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            )
            assert self.process.stdin is not None
            self.process.stdin.write(self.job.to_json() + "\n")
        return self.process


def _next_record(stdout: IO[str]) -> dict[str, Any] | None:
    """The worker's next record; Blender's own lines on the same stream are skipped."""
    for line in stdout:
        if line.startswith(RECORD_PREFIX):
            record: dict[str, Any] = json.loads(line[len(RECORD_PREFIX) :])
            return record
    return None


def local_workers(job: Job, tasks: list[Task], jobs: int) -> Iterator[dict[str, Any]]:
    """`jobs` worker processes taking the next level as soon as they are free."""
    todo: queue.Queue[Task] = queue.Queue()
    for task in tasks:
        todo.put(task)
    done: queue.Queue[dict[str, Any]] = queue.Queue()

    def feed() -> None:
        worker = WorkerProcess(job)
        try:
            while True:
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                done.put(worker.build(task))
        finally:
            worker.close()

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(min(jobs, len(tasks)))]
    for thread in threads:
        thread.start()
    for _ in tasks:
        yield done.get()
    for thread in threads:
        thread.join()


def build_chunk(job_json: str, tasks: list[tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """A Dask task: build a chunk of levels in one worker process on the Dask worker's machine."""
    worker = WorkerProcess(Job.from_json(job_json))
    try:
        return [worker.build(Task(seed, tuple(formats))) for seed, formats in tasks]
    finally:
        worker.close()


def dask_cluster(job: Job, tasks: list[Task], address: str) -> Iterator[dict[str, Any]]:
    """Spread the levels over a Dask cluster's workers, in chunks, each chunk one Blender start-up."""
    from distributed import Client, as_completed

    with Client(address, timeout="30s") as client:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        size = max(1, min(16, len(tasks) // (workers * 4) or 1))
        chunks = [[(t.seed, list(t.formats)) for t in tasks[i : i + size]] for i in range(0, len(tasks), size)]
        futures = client.map(build_chunk, [job.to_json()] * len(chunks), chunks, pure=False)
        for future in as_completed(futures):
            yield from future.result()
