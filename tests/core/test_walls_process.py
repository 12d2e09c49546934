"""The walls' process (core/walls_process.py): a one-floor level's walls made beside the planning
interpreter give the very blocks made in it, and a process that is off, busy, lost or failing
leaves the plan to make them itself, the same."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backrooms_addon.core import LevelSpec, plan_level, walls_process
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.plan import BLOCK_FACES, finished_walls
from backrooms_addon.core.walls_process import WallsProcess, WallsProcessError

FIELDS = ("vertices", "faces", "uvs", "material_indices", "pieces", "lightmap")


@pytest.fixture(scope="module")
def process() -> Iterator[WallsProcess]:
    made = WallsProcess()
    assert made.start(wait=60), "the walls' process starts and says it is ready"
    yield made
    made.close()


def _walls(plan_meshes) -> list[MeshArrays]:  # type: ignore[no-untyped-def]
    return list(plan_meshes.finished("walls"))


def _same_blocks(got: list[MeshArrays], expected: list[MeshArrays]) -> None:
    assert len(got) == len(expected)
    for block, other in zip(got, expected, strict=True):
        for name in FIELDS:
            a, b = getattr(block, name), getattr(other, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        assert block.materials == other.materials


def _served(process: WallsProcess, calls: list[bool], errors: list[BaseException]):  # type: ignore[no-untyped-def]
    """process.blocks, counting the requests it took and keeping what went wrong in them (the
    plan would make the walls itself then: equal walls would not say the process made them)."""

    def blocks(spec: LevelSpec, built: Layout, block_faces: int) -> Iterator[MeshArrays] | None:
        found = process.blocks(spec, built, block_faces)
        calls.append(found is not None)
        return None if found is None else _watched(found, errors)

    return blocks


def _watched(blocks: Iterator[MeshArrays], errors: list[BaseException]) -> Iterator[MeshArrays]:
    try:
        yield from blocks
    except WallsProcessError as error:
        errors.append(error)
        raise


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 1 << 40),
    size=st.tuples(st.integers(5, 90), st.integers(5, 90)),
    origin=st.tuples(st.integers(-300, 300), st.integers(-300, 300)),
    preset=st.sampled_from(["LEVEL_0", "LEVEL_1", "LEVEL_37", "LEVEL_188"]),  # 188: no walls at all
)
def test_the_process_gives_the_blocks_the_plan_makes_itself(
    process: WallsProcess, seed: int, size: tuple[int, int], origin: tuple[int, int], preset: str
) -> None:
    from backrooms_addon.core.levels import preset_spec

    spec = preset_spec(preset, seed=seed, width=size[0], depth=size[1], origin=origin)
    calls: list[bool] = []
    errors: list[BaseException] = []
    remote = plan_level(spec, walls=_served(process, calls, errors))
    blocks = _walls(remote.meshes)
    assert calls == [True] and errors == [], "a one-floor level asks once; the ready process makes its walls"
    _same_blocks(blocks, _walls(plan_level(spec).meshes))
    assert remote.meshes["walls"].face_count == sum(block.face_count for block in blocks)


def test_a_level_of_several_floors_makes_its_walls_itself(process: WallsProcess) -> None:
    calls: list[bool] = []
    plan = plan_level(LevelSpec(seed=2, width=40, depth=30, floors=2), walls=_served(process, calls, []))
    assert calls == [] and plan.meshes.face_count("walls") > 0


def test_a_level_of_two_blocks_comes_in_two(process: WallsProcess) -> None:
    spec = LevelSpec(seed=5, width=250, depth=250)
    errors: list[BaseException] = []
    blocks = _walls(plan_level(spec, walls=_served(process, [], errors)).meshes)
    assert errors == []
    assert len(blocks) == 2 and sum(b.face_count for b in blocks) > BLOCK_FACES // 2
    assert all(block.lightmap is not None for block in blocks)
    _same_blocks(blocks, list(finished_walls(spec, plan_level(spec).floors[0].layout)))


def test_a_process_lost_half_way_leaves_the_rest_made_here(tmp_path: Path) -> None:
    spec = LevelSpec(seed=11, width=250, depth=250)
    expected = _walls(plan_level(spec).meshes)
    assert len(expected) == 2
    # A process that answers the first block and then ends, as one killed half way does.
    first = json.dumps(walls_process._block_message(tmp_path, 0, expected[0])).encode() + b"\n"
    lost = _standing_in(WallsProcess(), _Answered([first]), tmp_path)
    errors: list[BaseException] = []
    got = _walls(plan_level(spec, walls=_served(lost, [], errors)).meshes)
    assert [type(error) for error in errors] == [WallsProcessError], "the process was lost after one block"
    _same_blocks(got, expected)
    assert lost.pid() is None and lost._losses == 1, "the lost process is let go; the next build starts another"


def test_a_process_that_ends_while_idle_is_replaced() -> None:
    made = WallsProcess()
    try:
        assert made.start(wait=60)
        pid = made.pid()
        assert pid is not None
        os.kill(pid, 9)
        assert made._process is not None
        made._process.wait(timeout=10)
        spec = LevelSpec(seed=1, width=20, depth=20)
        assert made.blocks(spec, plan_level(spec).floors[0].layout, BLOCK_FACES) is None
        assert made.start(wait=60) and made.pid() not in (None, pid), "the next build finds another"
    finally:
        made.close()


def test_a_busy_process_takes_no_second_request(process: WallsProcess) -> None:
    spec = LevelSpec(seed=3, width=60, depth=60)
    built = plan_level(spec).floors[0].layout
    first = process.blocks(spec, built, BLOCK_FACES)
    assert first is not None
    late = process.blocks(spec, built, BLOCK_FACES)  # asked before the first request went
    assert late is not None
    next(first)  # the first request goes
    assert process.blocks(spec, built, BLOCK_FACES) is None, "busy: the next plan makes its own walls"
    with pytest.raises(WallsProcessError, match="busy"):
        next(late)
    list(first)
    second = process.blocks(spec, built, BLOCK_FACES)
    assert second is not None and len(list(second)) == 1


def test_switched_off_or_without_python_there_is_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = LevelSpec(seed=1, width=20, depth=20)
    built = plan_level(spec).floors[0].layout
    monkeypatch.setenv(walls_process.ENV, "0")
    off = WallsProcess()
    assert off.blocks(spec, built, BLOCK_FACES) is None and off.pid() is None
    monkeypatch.delenv(walls_process.ENV)
    monkeypatch.setattr(walls_process.sys, "executable", "/opt/blender/blender")
    assert not off.start() and off.pid() is None, "a Blender binary is never started as the process"


def test_no_folder_to_write_means_no_process_and_the_plan_still_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    def unwritable(**_: object) -> str:
        raise PermissionError("read-only temp folder")

    monkeypatch.setattr(walls_process.tempfile, "mkdtemp", unwritable)
    none = WallsProcess()
    spec = LevelSpec(seed=6, width=40, depth=40)
    plan = plan_level(spec, walls=none.blocks)
    assert none.pid() is None and not none.start(), "not started, and not tried again"
    _same_blocks(_walls(plan.meshes), _walls(plan_level(spec).meshes))


def test_close_ends_the_process_and_removes_its_folder() -> None:
    made = WallsProcess()
    assert made.start(wait=60)
    process, folder = made._process, made._folder
    assert process is not None and folder is not None and folder.is_dir()
    made.close()
    assert process.poll() is not None and not folder.exists()


def _request(folder: Path, spec: LevelSpec, built: Layout) -> bytes:
    layout = walls_process._write_arrays(folder / "layout", walls_process._layout_arrays(built))
    request = {"spec": spec.to_dict(), "layout": layout, "block_faces": BLOCK_FACES, "folder": str(folder)}
    return json.dumps(request).encode() + b"\n"


def test_serve_answers_each_block_then_says_what_went_wrong(tmp_path: Path) -> None:
    spec = LevelSpec(seed=8, width=30, depth=20, origin=(-7, 3))
    built = plan_level(spec).floors[0].layout
    made = list(finished_walls(spec, built))

    def one_then_fail(level: LevelSpec, layout: Layout, block_faces: int) -> Iterator[MeshArrays]:
        assert level == spec and block_faces == BLOCK_FACES
        for name in ("walls_h", "walls_v", "solid"):
            assert np.array_equal(getattr(layout, name), getattr(built, name))
        assert layout.origin == built.origin
        yield made[0]
        raise ValueError("no more walls")

    answers = io.BytesIO()
    folder = tmp_path / "walls"
    folder.mkdir()
    checked = []

    def requests() -> Iterator[bytes]:
        yield _request(folder, spec, built)
        # Answered by now, before the requests end.
        lines = answers.getvalue().decode().splitlines()
        assert lines[0] == "ready" and len(lines) == 3
        block = json.loads(lines[1])
        arrays = walls_process._read_arrays(folder, block)
        _same_blocks([MeshArrays(materials=tuple(block["materials"]), **arrays)], made[:1])
        assert json.loads(lines[2]) == {"error": "ValueError: no more walls"}
        assert list(folder.iterdir()) == [], "every file is gone once read"
        checked.append(True)

    walls_process.serve(requests(), answers, one_then_fail)
    assert checked and not folder.exists(), "once the requests end, their folder goes"


ARRAYS = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.int8, np.bool_]),
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=9),
    ),
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(arrays=ARRAYS)
def test_arrays_written_are_read_back_the_same(tmp_path_factory: pytest.TempPathFactory, arrays) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("arrays")
    written = walls_process._write_arrays(folder / "file", arrays)
    read = walls_process._read_arrays(folder, written)
    assert not (folder / "file").exists()
    assert list(read) == list(arrays)
    for name, array in arrays.items():
        got = read[name]
        assert got.dtype == array.dtype and got.shape == array.shape
        assert np.array_equal(got, array, equal_nan=array.dtype.kind == "f")
        if got.size:
            got.flat[0] = got.flat[-1]  # a private copy: writable, nothing else changes


class _Answered:
    """Stands in for the process: its input taken in, its output given lines (then its end)."""

    def __init__(self, lines: list[bytes]) -> None:
        self.stdin, self.stdout = io.BytesIO(), io.BytesIO(b"".join(lines))
        self.pid = 0

    def poll(self) -> None:
        return None

    def kill(self) -> None:
        pass

    def wait(self, timeout: float) -> int:
        return -9


def _standing_in(made: WallsProcess, answered: _Answered, folder: Path) -> WallsProcess:
    made._process, made._folder = answered, folder  # type: ignore[assignment]
    made._ready.set()
    return made


def test_an_error_answer_is_raised_to_the_reader_and_keeps_the_process(tmp_path: Path) -> None:
    spec = LevelSpec(seed=1, width=20, depth=20)
    built = plan_level(spec).floors[0].layout
    answered = _Answered([json.dumps({"error": "OSError: no room left"}).encode() + b"\n"])
    made = _standing_in(WallsProcess(), answered, tmp_path)
    blocks = made.blocks(spec, built, BLOCK_FACES)
    assert blocks is not None
    with pytest.raises(WallsProcessError, match="no room left"):
        list(blocks)
    request = json.loads(answered.stdin.getvalue())
    assert LevelSpec.from_dict(request["spec"]) == spec and request["block_faces"] == BLOCK_FACES
    assert made._process is answered, "its answers are all read: it stays for the next build"
    assert made.blocks(spec, built, BLOCK_FACES) is not None, "and is free again"


def test_disabling_the_add_on_ends_the_session_s_process() -> None:
    first = walls_process.shared()
    assert first is walls_process.shared(), "one per session"
    assert first.start(wait=60)
    process = first._process
    assert process is not None
    walls_process.close_shared()
    assert process.poll() is not None, "ended"
    assert walls_process.shared() is not first and walls_process.shared().pid() is None, "not started again until asked"


def test_the_process_removes_its_folder_when_its_reader_is_gone() -> None:
    made = WallsProcess()
    assert made.start(wait=60)
    process, folder = made._process, made._folder
    assert process is not None and process.stdin is not None and folder is not None
    spec = LevelSpec(seed=4, width=30, depth=30)
    assert len(list(made.blocks(spec, plan_level(spec).floors[0].layout, BLOCK_FACES) or [])) == 1
    (folder / "left-behind").write_bytes(b"a block its reader never read")
    process.stdin.close()  # as when Blender ends without closing it (a crash, os._exit)
    process.wait(timeout=30)
    assert not folder.exists(), "the process took its folder with it"
    made.close()
