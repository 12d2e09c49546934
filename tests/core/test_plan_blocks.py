"""A plan's meshes finished a block of whole pieces at a time: the same pieces whatever the block
size, whole pieces in piece order, the same blocks for every reader and thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.plan import PlanMeshes, joined_blocks

FIELDS = ("vertices", "faces", "uvs", "material_indices", "pieces")


def _pieces(blocks: list[MeshArrays]) -> dict[int, MeshArrays]:
    return {piece: part for block in blocks for piece, part in block.split()}


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 1 << 40),
    size=st.tuples(st.integers(8, 120), st.integers(8, 120)),
    block_faces=st.integers(1, 20_000),
)
def test_blocks_of_any_size_hold_the_same_pieces(seed: int, size: tuple[int, int], block_faces: int) -> None:
    spec = LevelSpec(seed=seed, width=size[0], depth=size[1], piece_chunks=1, chunk_size=16)
    whole, blocked = plan_level(spec), plan_level(spec)
    for kind in whole.meshes.kinds_built():
        blocks = list(blocked.meshes.finished(kind, block_faces))
        for block in blocks:
            assert (np.diff(block.pieces) >= 0).all(), "a block's faces are in piece order"
        owners = [set(np.unique(block.pieces).tolist()) for block in blocks]
        assert sum(map(len, owners)) == len(set().union(*owners)), "no piece is cut between blocks"
        expected, got = _pieces([whole.meshes[kind]]), _pieces(blocks)
        assert expected.keys() == got.keys()
        for piece, part in got.items():
            for name in FIELDS:
                assert np.array_equal(getattr(part, name), getattr(expected[piece], name)), (kind, piece, name)
            # Each piece is packed on its own; only the last bits of a running sum may differ.
            assert np.allclose(part.lightmap, expected[piece].lightmap, atol=1e-5), (kind, piece)
            assert part.lightmap.min() >= 0.0 and part.lightmap.max() <= 1.0


def test_a_kind_read_whole_is_its_blocks_joined() -> None:
    plan = plan_level(LevelSpec(seed=3, width=90, depth=70, piece_chunks=1, chunk_size=16))
    blocks = list(plan.meshes.finished("walls", 2_000))
    assert len(blocks) > 1
    whole = plan.meshes["walls"]
    for name in (*FIELDS[:1], *FIELDS[2:], "lightmap"):
        assert np.array_equal(getattr(whole, name), np.concatenate([getattr(b, name) for b in blocks])), name
    assert plan.meshes.face_count("walls") == whole.face_count
    assert plan.meshes.piece_count("walls") == len(np.unique(whole.pieces))


def test_readers_in_two_threads_get_the_same_finished_meshes() -> None:
    plan = plan_level(LevelSpec(seed=9, width=160, depth=160))
    found: dict[str, list[MeshArrays]] = {}

    def read(name: str) -> None:
        found[name] = [plan.meshes[kind] for kind in plan.meshes.kinds_built()]

    threads = [threading.Thread(target=read, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a is b for a, b in zip(found["a"], found["b"], strict=True)), "finished once, shared"


def test_sizes_are_known_before_a_kind_is_finished() -> None:
    spec = LevelSpec(seed=4, width=64, depth=48, piece_chunks=1, chunk_size=16)
    early, late = plan_level(spec), plan_level(spec)
    for kind in early.meshes.kinds_built():
        before = (early.meshes.face_count(kind), early.meshes.piece_count(kind), early.meshes.materials(kind))
        mesh = late.meshes[kind]
        assert before == (mesh.face_count, len(np.unique(mesh.pieces)), mesh.materials), kind


def _same(a: MeshArrays, b: MeshArrays) -> None:
    for name in (*FIELDS, "lightmap"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.materials == b.materials


def test_blocks_let_go_are_planned_again_when_read() -> None:
    spec = LevelSpec(seed=5, width=48, depth=40, piece_chunks=1, chunk_size=16)
    streamed, kept = plan_level(spec), plan_level(spec)
    for kind in streamed.meshes.kinds_built():
        blocks = list(streamed.meshes.finished(kind, 200, keep=False))
        assert len(blocks) > 1 or kind != "walls"
        _same(joined_blocks(blocks), kept.meshes[kind])
        assert streamed.meshes._blocks.get(kind) is None, "nothing kept"
        again = list(streamed.meshes.finished(kind, 200))  # planned anew, the same blocks
        assert len(again) == len(blocks)
        for first, second in zip(blocks, again, strict=True):
            _same(first, second)
        _same(streamed.meshes[kind], kept.meshes[kind])


def test_a_stream_stopped_half_way_leaves_the_kind_readable() -> None:
    spec = LevelSpec(seed=6, width=48, depth=40, piece_chunks=1, chunk_size=16)
    stopped, whole = plan_level(spec), plan_level(spec)
    blocks = stopped.meshes.finished("walls", 1_000)
    next(blocks)
    blocks.close()  # a build stopped after its first block
    _same(stopped.meshes["walls"], whole.meshes["walls"])


def test_meshes_that_cannot_be_planned_again_say_so() -> None:
    plan = plan_level(LevelSpec(seed=7, width=20, depth=20))
    meshes = PlanMeshes({}, None, ("walls",), {"walls": [plan.meshes["walls"]]})
    list(meshes.finished("walls", keep=False))
    with pytest.raises(RuntimeError, match="cannot plan them again"):
        meshes["walls"]
