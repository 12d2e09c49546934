"""Lightmap packing: its fast steps give exactly what their plain formulations give, and every
piece's faces, however many, land apart inside the unit square."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core.geometry import MeshArrays, quad_faces
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.lightmap import BLOCK, PADDING, _corners, _shelves, _sides, _tallest_first, with_lightmap
from backrooms_addon.core.plan import plan_level


@settings(max_examples=20)
@given(st.sampled_from([1, 7, 200, BLOCK + 5]), st.integers(0, 2**32 - 1))
def test_sides_add_edge_extents_in_float64(count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    q = (rng.standard_normal((count, 4, 3)) * rng.choice([1e-3, 1.0, 1e6], (count, 4, 3))).astype(np.float32)
    for side, corner in zip(_sides(q), (1, 3), strict=True):
        expected = np.abs(q[:, corner] - q[:, 0]).sum(axis=1, dtype=np.float64)
        assert side.tobytes() == expected.tobytes()


@given(st.integers(1, 300), st.sampled_from([3, 256, 70_000]), st.integers(0, 2**32 - 1))
def test_order_is_by_piece_then_tallest_then_face(count: int, pieces: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    piece = rng.integers(0, pieces, count).astype(np.int32)
    height = rng.choice([0.1, 2.0, 2.7, 0.7], count)  # few heights: many ties
    expected = np.lexsort((-height, piece))  # stable: ties keep face order
    np.testing.assert_array_equal(_tallest_first(piece, height), expected)


@settings(max_examples=20)
@given(st.sampled_from([1, 5, BLOCK - 1, BLOCK, BLOCK + 3]), st.integers(0, 2**32 - 1))
def test_corners_go_back_to_face_order(count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y, cell_w, cell_h = rng.random((4, count))
    order = rng.permutation(count)
    packed = np.empty((count, 4, 2), np.float32)
    left, bottom = x + PADDING / 2, y + PADDING / 2
    packed[:, (0, 3), 0] = left[:, None]
    packed[:, (1, 2), 0] = (left + cell_w - PADDING)[:, None]
    packed[:, (0, 1), 1] = bottom[:, None]
    packed[:, (2, 3), 1] = (bottom + cell_h - PADDING)[:, None]
    expected = np.empty_like(packed)
    expected[order] = packed
    assert _corners(x, y, cell_w, cell_h, order).tobytes() == expected.reshape(-1, 2).tobytes()


@given(st.lists(st.integers(0, 300), min_size=1, max_size=6).filter(any), st.integers(0, 2**32 - 1))
def test_shelves_fill_rows_left_to_right(sizes: list[int], seed: int) -> None:
    """Any number of rows (up to hundreds a piece), pieces without items among others."""
    rng = np.random.default_rng(seed)
    piece = np.repeat(np.arange(len(sizes)), sizes)
    cell_w = rng.choice([0.01, 0.05, 0.3, 0.6, 1.2], len(piece)) * rng.choice([0.1, 1.0], len(piece))
    cell_h = -np.sort(-rng.random(len(piece)))  # any heights: the first of a row sets its height
    shelves = _shelves(cell_w, cell_h, piece, len(sizes))
    (x, y), top = shelves.placed(), shelves.top
    expected_x, expected_y, expected_top = _plain_shelves(cell_w, cell_h, sizes)
    assert x.tobytes() == expected_x.tobytes() and y.tobytes() == expected_y.tobytes()
    assert top.tobytes() == expected_top.tobytes()


def _plain_shelves(cell_w: np.ndarray, cell_h: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, ...]:
    """One item at a time: a row takes items while their widths add up to at most 1."""
    running = np.concatenate([[0.0], np.cumsum(cell_w)])
    x, y, top = np.empty(len(cell_w)), np.empty(len(cell_w)), np.zeros(len(sizes))
    end = 0
    for piece, size in enumerate(sizes):
        item, end = end, end + size
        while item < end:
            start, bottom = item, top[piece]
            top[piece] += cell_h[start]
            while item < end and (item == start or running[item + 1] <= running[start] + 1.0):
                x[item], y[item] = running[item] - running[start], bottom
                item += 1
    return x, y, top


def _apart_in_the_square(lightmap: np.ndarray) -> bool:
    """Whether the faces' lightmap rectangles lie in [0, 1] and apart: in rows (one bottom a
    row), each row's rectangles left to right without overlap, each row below the next."""
    corners = lightmap.reshape(-1, 4, 2).astype(np.float64)
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    if lo.min() < 0 or hi.max() > 1:
        return False
    order = np.lexsort((lo[:, 0], lo[:, 1]))
    lo, hi = lo[order], hi[order]
    rows = np.flatnonzero(np.diff(lo[:, 1])) + 1
    same_row = np.ones(len(lo) - 1, bool)
    same_row[rows - 1] = False
    apart_in_rows = bool((hi[:-1, 0][same_row] <= lo[1:, 0][same_row]).all())
    tops = np.maximum.reduceat(hi[:, 1], np.r_[0, rows])
    return apart_in_rows and bool((tops[:-1] <= lo[rows, 1]).all())


@settings(max_examples=6, deadline=None)
@given(st.integers(16_000, 120_000), st.integers(0, 2**32 - 1))
def test_a_piece_of_very_many_faces_packs_into_the_square(count: int, seed: int) -> None:
    """Past 16,384 faces a piece's padding shrinks: two texels of a 512 lightmap round every face
    would not fit (Level 2's pipes have over 100,000 faces a piece)."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.01, 0.3, (count, 2))
    origin = rng.uniform(0, 50, (count, 1, 3))
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1], [0, 0, 1]], np.float64)
    vertices = origin + square[None] * np.stack([size[:, 0], np.ones(count), size[:, 1]], axis=1)[:, None, :]
    mesh = MeshArrays(
        vertices=vertices.reshape(-1, 3).astype(np.float32),
        faces=quad_faces(count),
        uvs=np.zeros((4 * count, 2), np.float32),
        material_indices=np.zeros(count, np.int32),
        materials=("wallpaper",),
        pieces=np.zeros(count, np.int32),
    )
    assert _apart_in_the_square(with_lightmap(mesh).lightmap)


def test_level_2_pipes_lightmaps_stay_in_the_square() -> None:
    plan = plan_level(preset_spec("LEVEL_2", seed=9, width=60, depth=50))
    pipes = plan.meshes["pipes"]
    assert np.bincount(pipes.pieces).max() > 50_000, "a piece of very many faces"
    for piece in np.unique(pipes.pieces).tolist():
        loops = np.repeat(pipes.pieces == piece, 4)
        assert _apart_in_the_square(pipes.lightmap[loops]), piece
