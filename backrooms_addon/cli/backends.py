"""Where a batch's work is done (levels, or the frames of footage): in this process, in worker
processes, or on a Dask cluster. A job runs orders (a level's seed, a frame) and returns records."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from ..core.walls_process import ENV as WALLS_PROCESS
from .worker import RECORD_PREFIX, WorkJob, job_from_json

PACKAGE_PARENT = Path(__file__).resolve().parents[1]


class Order(Protocol):
    """One piece of work: batch.Task (a level) or footage.FrameTask (a frame)."""

    def order(self) -> dict[str, Any]: ...


def in_process(job: WorkJob, tasks: Sequence[Order]) -> Iterator[dict[str, Any]]:
    """One after another in this process (which imports Blender once)."""
    for task in tasks:
        yield job.run(task.order())


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
    """A worker process that imports Blender once and does the orders it is sent, one by one."""

    def __init__(self, job: WorkJob) -> None:
        self.job = job
        self.process: subprocess.Popen[str] | None = None

    def build(self, order: dict[str, Any]) -> dict[str, Any]:
        """Do one order; a worker that dies on it is reported in the record and replaced."""
        process = self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(order) + "\n")
            process.stdin.flush()
            record = _next_record(process.stdout)
        except BrokenPipeError:
            record = None
        if record is None:
            code = process.wait()
            self.process = None
            return {**order, "status": "failed", "error": f"worker process stopped ({code})", "files": {}}
        return record

    def close(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None

    def _running(self) -> subprocess.Popen[str]:
        if self.process is None:
            env = {
                # A batch's workers use the cores already: each makes its walls itself, not in a
                # process of its own (core/walls_process.py), unless told otherwise.
                WALLS_PROCESS: "0",
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


def local_workers(job: WorkJob, tasks: Sequence[Order], jobs: int) -> Iterator[dict[str, Any]]:
    """`jobs` worker processes taking the next order as soon as they are free."""
    todo: queue.Queue[Order] = queue.Queue()
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
                done.put(worker.build(task.order()))
        finally:
            worker.close()

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(min(jobs, len(tasks)))]
    for thread in threads:
        thread.start()
    for _ in tasks:
        yield done.get()
    for thread in threads:
        thread.join()


def build_chunk(job_json: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A Dask task: a chunk of orders in one worker process on the Dask worker's machine."""
    worker = WorkerProcess(job_from_json(job_json))
    try:
        return [worker.build(order) for order in orders]
    finally:
        worker.close()


def dask_cluster(job: WorkJob, tasks: Sequence[Order], address: str) -> Iterator[dict[str, Any]]:
    """Spread the orders over a Dask cluster's workers, in chunks, each chunk one Blender start-up."""
    from distributed import Client, as_completed

    with Client(address, timeout="30s") as client:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        size = max(1, min(16, len(tasks) // (workers * 4) or 1))
        chunks = [[t.order() for t in tasks[i : i + size]] for i in range(0, len(tasks), size)]
        futures = client.map(build_chunk, [job.to_json()] * len(chunks), chunks, pure=False)
        for future in as_completed(futures):
            yield from future.result()
