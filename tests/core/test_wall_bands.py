"""Walls made a row of pieces at a time and streamed: the very faces, in the very order, of the
walls made whole and put in piece order, cut into blocks of whole pieces."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import geometry_specs

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.geometry import MeshArrays, concat_meshes, wall_bands, wall_mesh
from backrooms_addon.core.plan import _COPIED_LATER, _story, floor_features, reblocked, wall_style

FIELDS = ("vertices", "faces", "uvs", "material_indices", "pieces")
# Many rows of small pieces, cells and walls of any size: faces on a border between two rows
# are where the two ways of making the walls could part.
many_rows = st.builds(
    lambda spec, width, depth: spec.replace(width=width, depth=depth, chunk_size=8, piece_chunks=1),
    geometry_specs,
    st.integers(1, 70),
    st.integers(1, 70),
)


def _same(a: MeshArrays, b: MeshArrays) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.materials == b.materials


def _walls(spec: LevelSpec) -> tuple[MeshArrays, list[MeshArrays]]:
    story = _story(spec, 0, floor_features(spec, 0))
    style, pieces = wall_style(story.spec), story.window.pieces
    return wall_mesh(story.built, style, pieces).by_piece(), list(wall_bands(story.built, style, pieces))


@settings(max_examples=60, deadline=None)
@given(spec=many_rows)
def test_rows_of_walls_are_the_walls_in_piece_order(spec: LevelSpec) -> None:
    whole, rows = _walls(spec)
    assert len(rows) == -(-spec.depth // spec.chunk_size), "a row of pieces each"
    for row, band in enumerate(rows):
        assert (band.pieces // -(-spec.width // spec.chunk_size) == row).all(), "each row holds its own pieces"
    _same(concat_meshes(*rows) if any(band.face_count for band in rows) else whole, whole)


@settings(max_examples=60, deadline=None)
@given(spec=many_rows, block_faces=st.integers(1, 3_000))
def test_streamed_rows_are_cut_into_blocks_of_whole_pieces_without_copying_big_rows(
    spec: LevelSpec, block_faces: int
) -> None:
    whole, rows = _walls(spec)
    got = list(reblocked(iter(rows), block_faces, _COPIED_LATER))
    if not whole.face_count:  # a level without walls: one empty block
        assert len(got) == 1 and got[0].face_count == 0
        return
    _same(concat_meshes(*got), whole)
    owners = [set(np.unique(block.pieces).tolist()) for block in got]
    assert sum(map(len, owners)) == len(set().union(*owners)), "no piece is cut between blocks"
    sizes = np.array([block.face_count for block in got])
    biggest_piece = max(np.bincount(whole.pieces))
    assert (sizes <= 1.5 * block_faces + 2 * biggest_piece).all(), "no block far over its size"
    for band in rows:
        if 2 * band.face_count >= block_faces:  # cut on its own: its blocks are views of it
            mine = [block for block in got if np.isin(block.pieces, band.pieces).all()]
            assert sum(block.face_count for block in mine) == band.face_count
            assert all(np.shares_memory(block.vertices, band.vertices) for block in mine)


def test_a_streamed_kind_s_sizes_wait_for_it_and_leave_it_to_be_read() -> None:
    spec = LevelSpec(seed=3, width=60, depth=50, chunk_size=8, piece_chunks=1)
    plan = plan_level(spec)
    faces, pieces = plan.meshes.face_count("walls"), plan.meshes.piece_count("walls")  # before reading
    assert plan.meshes.size_known("walls")
    walls = plan.meshes["walls"]
    assert (faces, pieces) == (walls.face_count, len(np.unique(walls.pieces)))
    _same(walls, _walls(spec)[0].by_piece())


def test_stacked_floors_still_make_their_walls_whole() -> None:
    spec = LevelSpec(seed=4, width=30, depth=30, floors=2)
    plan = plan_level(spec)
    assert plan.meshes.size_known("walls"), "no stream: known from the start"
    assert plan.meshes["walls"].face_count == plan.meshes.face_count("walls")
