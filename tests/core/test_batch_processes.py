"""Batches as processes (json outputs): shards sharing a folder, restarts, and workers of a killed batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc"),
]

COMMAND = [sys.executable, "-m", "backrooms_addon", "batch", "--formats", "json"]


def _start(out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, "--out", str(out), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _records(out: Path, torn: int = 0) -> list[dict]:
    """The manifest's records. A run killed in the middle of a line may leave it cut short (at most
    `torn` such lines), and two runs appending after it may each start a line of their own (a blank
    one between): the manifest's own reader skips both, as this does."""
    lines = [line for line in (out / "manifest.jsonl").read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            torn -= 1
            assert torn >= 0, f"more lines cut short than runs killed: {line[:200]!r}"
    return records


def _running(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its new parent to reap it has stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # gone meanwhile
            continue
        if not stat:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def _wait_until(condition, seconds: float = 120.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


LEVELS = 240


def test_two_shards_share_a_folder_while_one_is_killed_and_restarted(tmp_path: Path) -> None:
    """Each start of shard 0 clears what its killed runs left, never what shard 1 is writing."""
    # Enough levels that shard 1 is still at work after several restarts of shard 0.
    run = ["--seeds", f"0-{LEVELS - 1}", "--width", "160", "--depth", "160"]
    steady = _start(tmp_path, *run, "--shard", "1/2")
    restarts = 0
    for delay in [0.4, 0.9, 0.6, 1.3, 0.5, 1.1, 0.7, 1.5] * 4:
        if steady.poll() is not None:
            break
        restarted = _start(tmp_path, *run, "--shard", "0/2")
        time.sleep(delay)
        os.killpg(restarted.pid, signal.SIGKILL)
        restarted.wait()
        restarts += 1
    _, err = steady.communicate(timeout=600)
    assert steady.returncode == 0, err[-2000:]
    assert restarts >= 3, "shard 0 was restarted while shard 1 worked"
    finish = _start(tmp_path, *run, "--shard", "0/2")
    _, err = finish.communicate(timeout=600)
    assert finish.returncode == 0, err[-2000:]
    records = _records(tmp_path, torn=restarts)
    assert {r["status"] for r in records} == {"ok"}, [r.get("error") for r in records if r["status"] != "ok"]
    assert {r["seed"] for r in records} == set(range(LEVELS))
    for seed in range(LEVELS):
        assert json.loads((tmp_path / f"level_{seed}.json").read_text())["spec"]["seed"] == seed
    assert not list(tmp_path.glob(".*partial*")), "the last start cleared the killed runs' files"
    again = subprocess.run([*COMMAND, "--out", str(tmp_path), *run], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0 and f"{LEVELS} levels: {LEVELS} already built, 0 to build" in again.stderr


PARENT = """
import json, sys, time
from pathlib import Path
from backrooms_addon.cli.backends import WorkerProcess
from backrooms_addon.cli.batch import Job

job = Job("LEVEL_0", {"width": 1500, "depth": 1500}, ("json",), Path(sys.argv[1]))
process = WorkerProcess(job)._running()
process.stdin.write(json.dumps({"seed": 0, "formats": ["json"]}) + "\\n")
process.stdin.flush()
print(process.pid, flush=True)
time.sleep(600)
"""


def test_a_worker_stops_with_its_batch_and_writes_nothing_more(tmp_path: Path) -> None:
    """A worker whose batch is killed mid-level stops at once: the level it was building (which
    takes seconds) never appears, as no manifest would record it."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    assert _wait_until(lambda: not _running(worker)), "the worker outlived its batch"
    assert not (tmp_path / "level_0.json").exists()


def test_the_workers_of_a_killed_batch_exit(tmp_path: Path) -> None:
    run = ["--seeds", "0-11", "--width", "500", "--depth", "500", "--jobs", "2"]
    batch = _start(tmp_path, *run)
    assert _wait_until(lambda: len(_children(batch.pid)) == 2), "two workers started"
    workers = _children(batch.pid)
    assert _wait_until(lambda: (tmp_path / "manifest.jsonl").exists()), "the workers build"
    batch.send_signal(signal.SIGKILL)  # the batch alone, not its process group
    batch.wait()
    assert _wait_until(lambda: not any(_running(pid) for pid in workers)), "no worker outlived the batch"
    resumed = subprocess.run([*COMMAND, "--out", str(tmp_path), *run], cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert {r["seed"] for r in _records(tmp_path) if r["status"] == "ok"} == set(range(12))
    assert not list(tmp_path.glob(".*partial*"))
