"""Lightmap UVs: every face of a piece packed without overlap into the unit square, at one scale.

Faces are rectangles, so packing is shelf packing: per piece, tallest faces first, rows filled left
to right. All pieces are packed at once, one row per iteration for every piece together, and a
piece that overflows is packed again at a smaller scale.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from .geometry import MeshArrays

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
PADDING = 1 / 256  # between faces: two texels of a 512 lightmap
FILL = 0.6  # first guess of the share of the square that faces cover
SHRINK = 0.85


def with_lightmap(mesh: MeshArrays) -> MeshArrays:
    """The mesh with its second UV set: each piece's faces packed into [0, 1] x [0, 1]."""
    if mesh.face_count == 0:
        return dataclasses.replace(mesh, lightmap=np.zeros((0, 2), np.float32))
    q = mesh.vertices.reshape(-1, 4, 3)  # faces own their four vertices, in order
    # Every face is an axis-aligned rectangle, so an edge's length is the sum of its extents.
    width = np.abs(q[:, 1] - q[:, 0]).sum(axis=1, dtype=np.float64)
    height = np.abs(q[:, 3] - q[:, 0]).sum(axis=1, dtype=np.float64)
    pieces = mesh.pieces.astype(np.int64)
    # Tallest first within each piece: two stable sorts (the integer one is a radix sort).
    by_height = np.argsort(-height, kind="stable")
    order = by_height[np.argsort(pieces[by_height], kind="stable")]
    piece, w, h = pieces[order], width[order], height[order]
    count = int(piece.max()) + 1
    scale = np.sqrt(FILL / np.maximum(np.bincount(piece, w * h, minlength=count), 1e-9))
    limit = 1 - 2 * PADDING
    for _ in range(40):
        cell_w = np.minimum(w * scale[piece], limit) + PADDING
        cell_h = np.minimum(h * scale[piece], limit) + PADDING
        x, y, top = _shelves(cell_w, cell_h, piece, count)
        over = top > 1.0
        if not over.any():
            break
        scale[over] *= SHRINK
    packed = np.empty((mesh.face_count, 4, 2), np.float32)
    left, bottom = x + PADDING / 2, y + PADDING / 2
    packed[:, (0, 3), 0] = left[:, None]
    packed[:, (1, 2), 0] = (left + cell_w - PADDING)[:, None]
    packed[:, (0, 1), 1] = bottom[:, None]
    packed[:, (2, 3), 1] = (bottom + cell_h - PADDING)[:, None]
    uv = np.empty_like(packed)
    uv[order] = packed
    return dataclasses.replace(mesh, lightmap=uv.reshape(-1, 2))


def _shelves(cell_w: F64, cell_h: F64, piece: I64, count: int) -> tuple[F64, F64, F64]:
    """Shelf-pack items sorted by piece, tallest first; returns x, y per item and each piece's top."""
    first = np.searchsorted(piece, np.arange(count), side="left")
    end = np.searchsorted(piece, np.arange(count), side="right")
    running = np.concatenate([[0.0], np.cumsum(cell_w)])
    x, y = np.empty(len(cell_w)), np.empty(len(cell_w))
    pointer, top = first.copy(), np.zeros(count)
    active = np.nonzero(pointer < end)[0]
    while len(active):
        start = pointer[active]
        # The row takes items start .. stop - 1 whose widths add up to at most 1 (one at least).
        stop = np.searchsorted(running, running[start] + 1.0, side="right") - 1
        stop = np.clip(stop, start + 1, end[active])
        lengths = stop - start
        item = np.repeat(start, lengths) + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        x[item] = running[item] - np.repeat(running[start], lengths)
        y[item] = np.repeat(top[active], lengths)
        top[active] += cell_h[start]  # the first item of a row is its tallest
        pointer[active] = stop
        active = active[stop < end[active]]
    return x, y, top
