"""`batch` with Blender: every format, parallel workers, a killed run, and the Dask backend."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import bpy
import pytest
from blender_support import ROOT, RUNNING_INSIDE_BLENDER
from PIL import Image

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(RUNNING_INSIDE_BLENDER, reason="`python -m backrooms_addon` needs Blender as the bpy module"),
]

TINY = ["--width", "8", "--depth", "8", "--samples", "1", "--resolution", "32x32"]
ALL_FORMATS = "blend,glb,json,png,usd"


def _command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "backrooms_addon", "batch", *TINY, "--out", str(out), *extra]


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(out, *extra), cwd=ROOT, capture_output=True, text=True, timeout=600)


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def _glb_parts(path: Path) -> tuple[dict, bytes]:
    data = path.read_bytes()
    magic, _, length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and length == len(data), f"{path.name} is not a whole .glb"
    size = struct.unpack_from("<I", data, 12)[0]
    return json.loads(data[20 : 20 + size]), data[20 + size :]


def _complete(path: Path) -> None:
    """Fail unless `path` is a whole file of its kind."""
    if path.suffix == ".glb":
        _glb_parts(path)
    elif path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix == ".png":
        Image.open(path).verify()
    elif path.suffix == ".usdz":
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None
    elif path.suffix == ".blend":  # compressed or not, Blender refuses a file that is cut short
        with bpy.data.libraries.load(str(path)) as (source, _):
            assert source.objects, f"{path.name} has no objects"


def _without_level_ids(gltf: dict) -> str:
    """The glTF JSON with the random per-level ids taken out (they are unique per build by design)."""
    text = json.dumps(gltf, sort_keys=True)
    for node in gltf.get("nodes", []):
        level_id = node.get("extras", {}).get("backrooms_level")
        if level_id:
            text = text.replace(level_id, "LEVEL")
    return text


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch")
    result = _run(out, "--seeds", "3,5", "--formats", ALL_FORMATS, "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_every_format_for_every_seed_and_the_manifest_matches(batch_out: Path, addon: ModuleType) -> None:
    records = _records(batch_out)
    assert sorted(r["seed"] for r in records) == [3, 5]
    suffixes = {"blend": ".blend", "glb": ".glb", "json": ".json", "png": ".png", "usd": ".usdz"}
    for record in records:
        assert record["status"] == "ok" and set(record["files"]) == set(suffixes)
        spec = addon.core.LevelSpec(seed=record["seed"], width=8, depth=8)
        assert record["spec"] == spec.to_dict()
        assert record["layout_sha256"] == addon.core.plan_level(spec).layout.digest()
        for fmt, entry in record["files"].items():
            path = batch_out / entry["path"]
            assert path.name == f"level_{record['seed']}{suffixes[fmt]}"
            assert path.stat().st_size == entry["bytes"]
            _complete(path)
    assert Image.open(batch_out / "level_3.png").size == (32, 32)
    with bpy.data.libraries.load(str(batch_out / "level_5.blend")) as (source, _):
        # The level, and the troffer models its pieces instance (in no scene: only their instances show).
        level, troffers = "Backrooms Level 0 (seed 5)", "Backrooms troffers (Backrooms Level 0 (seed 5))"
        assert sorted(source.collections) == [level, troffers]


def test_resume_rebuilds_only_the_missing_files(tmp_path: Path) -> None:
    assert _run(tmp_path, "--seeds", "0-2", "--formats", "json,glb").returncode == 0
    (tmp_path / "level_1.glb").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("level_*")}
    result = _run(tmp_path, "--seeds", "0-2", "--formats", "json,glb")
    assert result.returncode == 0 and "2 already built, 1 to build" in result.stderr
    after = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("level_*")}
    assert {k: v for k, v in after.items() if k != "level_1.glb"} == before
    assert _records(tmp_path)[-1]["files"].keys() == {"glb"}
    _complete(tmp_path / "level_1.glb")


def test_a_killed_run_leaves_no_truncated_file_under_a_final_name(tmp_path: Path) -> None:
    process = subprocess.Popen(
        _command(tmp_path, "--seeds", "0-40", "--formats", "blend,glb,usd,json", "--jobs", "2"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("level_*"))) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its worker processes, mid-write
    process.wait()
    finals = list(tmp_path.glob("level_*"))
    assert 6 <= len(finals) < 41 * 4, "killed part way through"
    for path in finals:
        _complete(path)
    result = _run(tmp_path, "--seeds", "0-5", "--formats", "blend,glb,usd,json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not list(tmp_path.glob(".*partial*")), "the next run clears what the killed one left"


def test_shards_sharing_a_folder_keep_each_others_files_while_one_restarts(tmp_path: Path) -> None:
    """Shard 0 is killed and started again and again while shard 1 writes .blend and .glb files:
    each start clears only what the killed runs left, so shard 1 loses nothing."""
    run = ["--seeds", "0-19", "--formats", "blend,glb,usd,json", "--width", "64", "--depth", "64"]
    steady = subprocess.Popen(_command(tmp_path, *run, "--shard", "1/2"), cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for delay in [0.6, 0.9, 0.7, 1.2, 0.8] * 8:
        if steady.poll() is not None:
            break
        restarted = subprocess.Popen(
            _command(tmp_path, *run, "--shard", "0/2"),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(restarted.pid, signal.SIGKILL)
        restarted.wait()
    _, err = steady.communicate(timeout=600)
    assert steady.returncode == 0, err[-2000:]
    result = _run(tmp_path, *run, "--shard", "0/2")
    assert result.returncode == 0, result.stderr[-2000:]
    records = _records(tmp_path)
    assert all(r["status"] == "ok" for r in records), [r.get("error") for r in records if r["status"] != "ok"]
    assert {r["seed"] for r in records} == set(range(20))
    for path in tmp_path.glob("level_*.glb"):
        _glb_parts(path)
    assert not list(tmp_path.glob(".*partial*"))


def test_parallel_workers_build_the_same_levels(batch_out: Path, tmp_path: Path) -> None:
    assert _run(tmp_path, "--seeds", "5", "--formats", "json,glb").returncode == 0
    assert (tmp_path / "level_5.json").read_bytes() == (batch_out / "level_5.json").read_bytes()
    one, two = _glb_parts(tmp_path / "level_5.glb"), _glb_parts(batch_out / "level_5.glb")
    assert one[1] == two[1], "same binary buffers"
    assert _without_level_ids(one[0]) == _without_level_ids(two[0])


def test_dask_backend_writes_the_same_files(batch_out: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = _run(tmp_path, "--seeds", "3,5", "--formats", "json,glb", "--dask", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["seed"] for r in _records(tmp_path)) == [3, 5]
    for seed in (3, 5):
        assert (tmp_path / f"level_{seed}.json").read_bytes() == (batch_out / f"level_{seed}.json").read_bytes()
        dask, local = _glb_parts(tmp_path / f"level_{seed}.glb"), _glb_parts(batch_out / f"level_{seed}.glb")
        assert dask[1] == local[1] and _without_level_ids(dask[0]) == _without_level_ids(local[0])


def test_the_extension_registers_its_blender_command(addon: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    if not hasattr(bpy.utils, "register_cli_command"):
        pytest.skip("Blender before 4.2 has no command-line commands")
    assert len(addon._cli_handles) == 1
    assert addon.cli.blender_command(["info"]) == 0
    assert json.loads(capsys.readouterr().out)["generator_version"] == addon.GENERATOR_VERSION


def test_draco_and_collision_flags_reach_the_glb(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "backrooms_addon", "generate", *TINY, "--formats", "glb", "--out", str(tmp_path)]
    result = subprocess.run([*command, "--draco", "--no-collision"], cwd=ROOT, capture_output=True, text=True)
    if bpy.app.version < (5, 0, 0):  # the 4.2 wheel has no Draco library: refused up front, no file
        assert result.returncode == 2 and result.stderr.startswith("error: draco: ")
        assert not list(tmp_path.iterdir())
        return
    assert result.returncode == 0, result.stderr[-2000:]
    gltf, _ = _glb_parts(tmp_path / "level0.glb")
    assert "KHR_draco_mesh_compression" in gltf["extensionsRequired"]
    assert not [mesh for mesh in gltf["meshes"] if mesh["name"].endswith("-colonly")]


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_draco_without_the_library_is_refused_before_any_level(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io_scene_gltf2

    from backrooms_addon.cli import main

    monkeypatch.setattr(io_scene_gltf2, "is_draco_available", lambda: False)
    seeds = ["--seeds", "0-3", "--jobs", "2"] if command == "batch" else []
    argv = [command, *seeds, *TINY, "--formats", "json,glb", "--draco", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: draco: ")
    assert not (tmp_path / "out").exists(), "nothing built, not even the .json"
