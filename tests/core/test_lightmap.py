"""Lightmap packing: its fast steps give exactly what their plain formulations give."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core.lightmap import BLOCK, PADDING, _corners, _shelves, _sides, _tallest_first


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
