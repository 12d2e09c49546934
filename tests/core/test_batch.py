"""Batch runs without Blender (json outputs): seeds, shards, the manifest, resume, atomic files, progress."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrooms_addon.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, batch, main
from backrooms_addon.cli.batch import Job, Manifest, ProgressReport, Task, parse_seeds, shard
from backrooms_addon.cli.worker import HOST, STALE_PARTIAL_SECONDS, atomically
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import plan_level
from backrooms_addon.core.spec import LIMITS

SMALL = ["--width", "10", "--depth", "8", "--formats", "json"]


def _batch(out: Path, *extra: str) -> int:
    return main(["batch", *SMALL, "--out", str(out), *extra])


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def test_seed_lists_ranges_and_mixtures() -> None:
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("3,17,42") == [3, 17, 42]
    assert parse_seeds("5,0-2,5,-7") == [5, 0, 1, 2, -7], "in the order given, each once"


@given(count=st.integers(0, 300), shards=st.integers(1, 12))
def test_shards_are_disjoint_and_cover_the_seeds(count: int, shards: int) -> None:
    seeds = list(range(1000, 1000 + count))
    parts = [shard(seeds, index, shards) for index in range(shards)]
    flat = [seed for part in parts for seed in part]
    assert sorted(flat) == seeds and len(flat) == len(set(flat))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1, "balanced"


def test_batch_writes_every_seed_and_the_manifest_matches(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "4-6,11", "--preset", "LEVEL_0_MAZE") == EXIT_OK
    records = _records(tmp_path)
    assert sorted(r["seed"] for r in records) == [4, 5, 6, 11]
    for record in records:
        spec = preset_spec("LEVEL_0_MAZE", seed=record["seed"], width=10, depth=8)
        path = tmp_path / record["files"]["json"]["path"]
        assert path.name == f"level_{record['seed']}.json" and path.stat().st_size == record["files"]["json"]["bytes"]
        document = json.loads(path.read_text())
        assert record["spec"] == document["spec"] == spec.to_dict()
        assert record["layout_sha256"] == document["layout_sha256"] == plan_level(spec).layout.digest()
        assert record["status"] == "ok" and record["timings"]["total"] >= record["timings"]["json"] >= 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["manifest.jsonl"] + [f"level_{s}.json" for s in (4, 5, 6, 11)]
    )


def test_resume_rebuilds_exactly_the_missing_files(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0-5") == EXIT_OK
    (tmp_path / "level_2.json").unlink()
    (tmp_path / "level_4.json").write_text("{")  # cut short outside the batch: not the recorded size
    kept = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("level_*.json") if p.name != "level_4.json"}
    assert _batch(tmp_path, "--seeds", "0-5") == EXIT_OK
    assert [r["seed"] for r in _records(tmp_path)[6:]] == [2, 4]
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("level_*.json") if p.name in kept} == kept
    assert json.loads((tmp_path / "level_4.json").read_text())["spec"]["seed"] == 4
    assert _batch(tmp_path, "--seeds", "0-5") == EXIT_OK and len(_records(tmp_path)) == 8, "nothing left to do"


def test_a_manifest_written_before_the_style_field_was_renamed_still_resumes(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0-2") == EXIT_OK
    manifest = tmp_path / "manifest.jsonl"
    old = []
    for record in _records(tmp_path):
        record["spec"]["level"] = record["spec"].pop("style")
        old.append(json.dumps(record))
    manifest.write_text("\n".join(old) + "\n")
    assert _batch(tmp_path, "--seeds", "0-2") == EXIT_OK
    assert len(_records(tmp_path)) == 3, "the old records still count: nothing built again"


def test_a_changed_spec_is_built_again(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0-1") == EXIT_OK
    assert (
        main(["batch", "--width", "12", "--depth", "8", "--formats", "json", "--out", str(tmp_path), "--seeds", "0-1"])
        == 0
    )
    assert [r["spec"]["width"] for r in _records(tmp_path)] == [10, 10, 12, 12]


def test_one_failing_level_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "level_1.json").mkdir()  # this level's file cannot be written
    assert _batch(tmp_path, "--seeds", "0-2") == EXIT_FAILED
    status = {r["seed"]: r["status"] for r in _records(tmp_path)}
    assert status == {0: "ok", 1: "failed", 2: "ok"}
    assert "seed 1: FAILED: " in capsys.readouterr().err
    assert not list(tmp_path.glob(".*")), "no temporary file left behind"


def test_shard_builds_its_part_only(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0-9", "--shard", "1/3") == EXIT_OK
    assert sorted(r["seed"] for r in _records(tmp_path)) == [1, 4, 7]


def test_atomic_write_never_leaves_a_partial_file_under_the_final_name(tmp_path: Path) -> None:
    final = tmp_path / "level.json"
    final.write_text("old and complete")

    def fails_half_way(path: Path) -> None:
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomically(final, fails_half_way)
    assert final.read_text() == "old and complete" and os.listdir(tmp_path) == ["level.json"]


def _dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(process.stdout)


def _partial(folder: Path, name: str, age: float = 0.0) -> Path:
    path = folder / name
    path.write_text("{")
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_only_the_partial_files_of_writers_that_are_gone_are_cleared(tmp_path: Path) -> None:
    """Runs sharing a folder (shards, a second run) keep each other's files in the making."""
    dead, live, stale = _dead_pid(), os.getpid(), STALE_PARTIAL_SECONDS + 60
    kept = [
        _partial(tmp_path, f".level_7.partial-{HOST}-{live}.json"),  # a live writer on this machine
        _partial(tmp_path, ".level_8.partial-farm-node-12-4242.glb"),  # another machine's, recent
        _partial(tmp_path, ".notes.partial-draft"),  # not ours
        _partial(tmp_path, ".hidden_notes"),
    ]
    _partial(tmp_path, f".level_1.partial-{HOST}-{dead}.json")  # its process is gone
    _partial(tmp_path, f".level_2.partial-{dead}.blend")  # the older name, without the host
    _partial(tmp_path, f".level_5.partial-{HOST}-{dead}.blend@")  # Blender's own temporary save
    _partial(tmp_path, ".level_3.partial-farm-node-12-4242.json", age=stale)  # another machine's, stale
    _partial(tmp_path, f".level_4.partial-{HOST}-{live}.usdz", age=stale)  # a reused process id
    assert _batch(tmp_path, "--seeds", "0") == EXIT_OK
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([p.name for p in kept] + ["level_0.json", "manifest.jsonl"])


def test_generate_clears_the_dead_partial_files_of_its_own_name(tmp_path: Path) -> None:
    dead = _dead_pid()
    _partial(tmp_path, f".level0.partial-{HOST}-{dead}.json")
    other = _partial(tmp_path, f".level_5.partial-{HOST}-{dead}.json")  # another run's name: not generate's
    live = _partial(tmp_path, f".level0.partial-{HOST}-{os.getpid()}.glb")
    assert main(["generate", *SMALL, "--out", str(tmp_path)]) == EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, live.name, "level0.json"])


def test_a_record_after_a_line_cut_short_starts_on_a_new_line(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0") == EXIT_OK
    with (tmp_path / "manifest.jsonl").open("a") as manifest:
        manifest.write('{"seed": 1, "status": "o')  # a run killed mid-line
    assert _batch(tmp_path, "--seeds", "0-2") == EXIT_OK
    lines = (tmp_path / "manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["seed"] for line in lines[2:]] == [1, 2]
    assert _batch(tmp_path, "--seeds", "0-2") == EXIT_OK
    assert len((tmp_path / "manifest.jsonl").read_text().splitlines()) == 4, "nothing built twice"


DAMAGED = [b"\xff\xfe not UTF-8", b"[]", b"null", b"42", b'{"seed": 1, "status": "ok", "files": {}}', b'"ok"']


def test_a_damaged_manifest_is_read_around_with_one_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _batch(tmp_path, "--seeds", "0-3") == EXIT_OK
    manifest = tmp_path / "manifest.jsonl"
    lines = manifest.read_bytes().splitlines()
    lines[2] = b'{"seed": 2, "status": "ok", "files": {"json": {"bytes": 1}}, "spec": 7}'  # seed 2's record
    manifest.write_bytes(b"\n".join(lines[:2] + DAMAGED + lines[2:]) + b"\n")
    capsys.readouterr()
    assert _batch(tmp_path, "--seeds", "0-3") == EXIT_OK
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if line.startswith("warning: ")]
    assert len(warnings) == 1 and "skipped lines 3, 4, 5, 6, 7, 8, 9 that cannot be read" in warnings[0]
    assert "4 levels: 3 already built, 1 to build" in err
    assert _records_readable(tmp_path)[-1]["seed"] == 2, "the level whose record was lost is built again"


def _records_readable(out: Path) -> list[dict]:
    records = []
    for line in (out / "manifest.jsonl").read_bytes().splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return [r for r in records if isinstance(r, dict) and "spec" in r]


def test_a_folder_named_like_the_manifest_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.jsonl").mkdir()
    assert _batch(tmp_path, "--seeds", "0-3") == EXIT_BAD_INPUT
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: manifest: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.jsonl"]


def test_the_spec_is_checked_once_not_per_seed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    job = Job("LEVEL_0", {"width": 10, "depth": 8}, ("json", "glb"), tmp_path)
    for seed in (0, 1, -7, 2**40, LIMITS["seed"].low, LIMITS["seed"].high):
        assert job.spec(seed).to_dict() == {**job.spec(0).to_dict(), "seed": seed}, "seeds change the seed alone"
    calls = []
    real = batch.preset_spec
    monkeypatch.setattr(batch, "preset_spec", lambda *a, **k: calls.append(1) or real(*a, **k))
    tasks = Manifest(tmp_path / "manifest.jsonl").tasks(job, range(5000))
    assert len(tasks) == 5000 and len(calls) <= 2


def test_a_line_cut_short_in_the_manifest_is_ignored(tmp_path: Path) -> None:
    assert _batch(tmp_path, "--seeds", "0-1") == EXIT_OK
    with (tmp_path / "manifest.jsonl").open("a") as manifest:
        manifest.write('{"seed": 1, "status": "o')
    job = Job("LEVEL_0", {"width": 10, "depth": 8}, ("json",), tmp_path)
    assert Manifest(tmp_path / "manifest.jsonl").tasks(job, [0, 1, 2]) == [Task(2, ("json",))]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--seeds", "9-3"], "seeds"),
        (["--seeds", "a-b"], "seeds"),
        (["--seeds", "0-2000000"], "seeds"),
        (["--seeds", str(1 << 64)], "seeds"),
        (["--seeds", "0-3", "--shard", "4/4"], "shard"),
        (["--seeds", "0-3", "--shard", "1of4"], "shard"),
        (["--seeds", "0-3", "--jobs", "0"], "jobs"),
        (["--seeds", "0-3", "--name", "level"], "name"),
        (["--seeds", "0-3", "--name", "../{seed}"], "name"),
        (["--seeds", "0-3", "--name", "{seed}_{oops}"], "name"),
        (["--seeds", "0-3", "--formats", "glb,obj"], "formats"),
        (["--seeds", "0-3", "--width", "0"], "width"),
        (["--seeds", "0-3", "--preset", "LEVEL_X"], "argument --preset"),
    ],
)
def test_bad_batch_input_exits_2_naming_the_field(
    argv: list[str], field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["batch", "--out", str(tmp_path / "out"), *argv]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {field}: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("make", ["file", "file_parent"])
def test_bad_output_paths_exit_2(make: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    out = blocker if make == "file" else blocker / "levels"
    assert main(["batch", "--seeds", "0", "--formats", "json", "--out", str(out)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.startswith("error: out: ")
    assert blocker.read_text() == "a file"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    records = [
        {"seed": s, "status": "ok" if s != 2 else "failed", "error": "boom", "timings": {"total": 1.5}}
        for s in range(4)
    ]
    terminal, log = _Terminal(), io.StringIO()
    for stream in (terminal, log):
        report = ProgressReport(len(records), stream)
        for record in records:
            report.update(record)
    assert terminal.getvalue().count("\r[") == 4 and "\n" not in terminal.getvalue()[:-1]
    assert "4/4 levels, 1 failed" in terminal.getvalue()
    lines = log.getvalue().splitlines()
    assert lines[0] == "level 1/4 seed 0: ok (1.5 s)" and lines[2] == "level 3/4 seed 2: FAILED: boom (1.5 s)"


def test_info_lists_presets_algorithms_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == EXIT_OK
    info = json.loads(capsys.readouterr().out)
    assert set(info["presets"]) >= {"LEVEL_0", "LEVEL_0_MAZE"} and "backrooms" in info["algorithms"]
    assert info["formats"] == ["blend", "glb", "json", "png", "usd"]
    assert info["spec_fields"]["width"]["range"] == "an integer from 1 to 100000 cells"


def test_batch_help_explains_the_batch_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "--help"]) == EXIT_OK
    text = " ".join(capsys.readouterr().out.split())
    assert "worker processes, each starting Blender once and building many levels: 1 to 64" in text
    assert "K/N: build only every N-th seed" in text and "e.g. 0-999 or 3,17,42" in text
    assert "region width along x: an integer from 1 to 100000 cells" in text, "the level flags too"
    assert "tcp://HOST:8786" in text and "blend,glb,json,png,usd" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="zombies are read from /proc")
def test_a_killed_writer_not_yet_reaped_counts_as_gone(tmp_path: Path) -> None:
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    while Path(f"/proc/{zombie.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        time.sleep(0.01)  # exited, and not waited for: a zombie
    _partial(tmp_path, f".level_1.partial-{HOST}-{zombie.pid}.json")
    assert _batch(tmp_path, "--seeds", "0") == EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["level_0.json", "manifest.jsonl"]
    zombie.wait()
