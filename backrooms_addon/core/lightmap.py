"""Lightmap UVs: every face of a piece packed without overlap into the unit square, at one scale.

Faces are rectangles, so packing is shelf packing: per piece, tallest faces first, rows filled left
to right. All pieces are packed at once, one row per iteration for every piece together, first at
the scale at which a piece's faces with their padding would cover FILL of the square, and a piece
that overflows is packed again at a smaller scale.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .geometry import FloatArray, IntArray, MeshArrays, piece_order

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
PADDING = 1 / 256  # between faces: two texels of a 512 lightmap
# ... or less in a piece of so many faces (over 16,384) that their padding alone would cover more
# than this share of the square: it never fits otherwise (Level 2's pipes have 110,000 a piece).
PADDING_SHARE = 0.25
FILL = 0.9  # first guess of the share of the square that the padded faces cover
SHRINK = 0.85
BLOCK = 1 << 14  # faces measured, or given their lightmap UVs, together


def with_lightmap(mesh: MeshArrays) -> MeshArrays:
    """The mesh with its second UV set: each piece's faces packed into [0, 1] x [0, 1]."""
    if mesh.face_count == 0:
        return dataclasses.replace(mesh, lightmap=np.zeros((0, 2), np.float32))
    q = mesh.vertices.reshape(-1, 4, 3)  # faces own their four vertices, in order
    width, height = _sides(q)
    order = _tallest_first(mesh.pieces, height)
    piece, w, h = mesh.pieces.astype(np.int64)[order], width[order], height[order]
    count = int(piece[-1]) + 1
    paddings = _paddings(piece, count)
    scale = _first_scale(w, h, piece, paddings)
    padding = paddings[piece]
    limit = 1 - 2 * padding
    for _ in range(40):
        cell_w = np.minimum(w * scale[piece], limit) + padding
        cell_h = np.minimum(h * scale[piece], limit) + padding
        shelves = _shelves(cell_w, cell_h, piece, count)
        over = shelves.top > 1.0
        if not over.any():
            break
        scale[over] *= SHRINK
    x, y = shelves.placed()
    return dataclasses.replace(mesh, lightmap=_corners(x, y, cell_w, cell_h, order, padding))


def _first_scale(w: F64, h: F64, piece: I64, paddings: F64) -> F64:
    """Each piece's first scale to try: the one at which its padded cells would cover FILL of
    the square (cells w s + p by h s + p: a s^2 + b s + c = FILL, solved in the form that keeps
    its precision for small faces); the faces' own area at FILL where that has no answer."""
    count = len(paddings)
    area = np.bincount(piece, w * h, minlength=count)
    sides = np.bincount(piece, w + h, minlength=count) * paddings
    spare = np.maximum(FILL - np.bincount(piece, minlength=count) * paddings**2, 0.0)
    root = np.sqrt(sides**2 + 4 * area * spare) + sides
    solved = 2 * spare / np.maximum(root, 1e-300)
    plain = np.sqrt(FILL / np.maximum(area, 1e-9))
    scale: F64 = np.where((spare > 0) & (root > 0), solved, plain)
    return scale


def _paddings(piece: I64, count: int) -> F64:
    """Each piece's padding: PADDING, or less where its faces' padding would cover more than
    PADDING_SHARE of the square."""
    faces = np.maximum(np.bincount(piece, minlength=count), 1)
    padding: F64 = np.minimum(PADDING, np.sqrt(PADDING_SHARE / faces))
    return padding


def _sides(q: FloatArray) -> tuple[F64, F64]:
    """Width and height of each face, a block of faces at a time so that the block's vertices
    stay in cache while the two edges are measured."""
    width, height = np.empty(len(q)), np.empty(len(q))
    for begin in range(0, len(q), BLOCK):
        block = slice(begin, begin + BLOCK)
        width[block], height[block] = _edge_length(q[block], 1), _edge_length(q[block], 3)
    return width, height


def _edge_length(q: FloatArray, corner: int) -> F64:
    """Length of each face's edge from corner 0 to `corner`, in float64.

    Every face is an axis-aligned rectangle, so an edge's length is the sum of its extents, added
    x, y, z in turn. One coordinate at a time, numpy runs long loops instead of rows of three.
    """
    length = np.abs(q[:, corner, 0] - q[:, 0, 0]).astype(np.float64)
    for axis in (1, 2):
        length += np.abs(q[:, corner, axis] - q[:, 0, axis])
    return length


def _tallest_first(pieces: IntArray, height: F64) -> I64:
    """Face order for packing: by piece, tallest first within a piece, ties in face order."""
    by_height = np.argsort(-height, kind="stable")
    order: I64 = by_height[piece_order(pieces[by_height])]
    return order


class Shelves(NamedTuple):
    """A shelf packing of items sorted by piece: each row's first item and bottom, and each
    piece's top. Where the items go is worked out only for the packing that is kept."""

    running: F64  # the items' widths added up, from 0
    starts: I64  # the first item of each row
    bottoms: F64  # each row's y
    top: F64  # each piece's height

    def placed(self) -> tuple[F64, F64]:
        """x and y of every item. The rows tile the items, so a row runs up to the next row's first
        item: the row loop records rows alone, its work per row rather than per item."""
        by_item = np.argsort(self.starts)
        starts, bottoms = self.starts[by_item], self.bottoms[by_item]
        lengths = np.diff(starts, append=len(self.running) - 1)
        x = self.running[:-1] - np.repeat(self.running[starts], lengths)
        return x, np.repeat(bottoms, lengths)


def _shelves(cell_w: F64, cell_h: F64, piece: I64, count: int) -> Shelves:
    """Shelf-pack items sorted by piece, tallest first, every piece a row at a time."""
    first = np.searchsorted(piece, np.arange(count), side="left")
    end = np.searchsorted(piece, np.arange(count), side="right")
    running = np.concatenate([[0.0], np.cumsum(cell_w)])
    pointer, top = first.copy(), np.zeros(count)
    active = np.nonzero(pointer < end)[0]
    starts, bottoms = [], []  # of every row
    while len(active):
        start = pointer[active]
        # The row takes items start .. stop - 1 whose widths add up to at most 1 (one at least).
        stop = np.searchsorted(running, running[start] + 1.0, side="right") - 1
        stop = np.clip(stop, start + 1, end[active])
        starts.append(start)
        bottoms.append(top[active])
        top[active] += cell_h[start]  # the first item of a row is its tallest
        pointer[active] = stop
        active = active[stop < end[active]]
    return Shelves(running, np.concatenate(starts), np.concatenate(bottoms), top)


def _corners(x: F64, y: F64, cell_w: F64, cell_h: F64, order: I64, padding: F64 | float = PADDING) -> FloatArray:
    """The packed items' four UVs (counter-clockwise from bottom left), back in face order; each
    item's `padding` (by item, or one for all) is left round it, half on each side."""
    # Item i is face order[i]: gathering through the inverse permutation is cheaper than
    # scattering rows of eight.
    face_item = np.empty_like(order)
    face_item[order] = np.arange(len(order))
    uv = np.empty((len(order), 4, 2), np.float32)
    # A block at a time, so a block's rows stay in cache while its eight columns are written.
    for begin in range(0, len(order), BLOCK):
        block = slice(begin, begin + BLOCK)
        items = face_item[block]
        pad = padding[items] if isinstance(padding, np.ndarray) else padding
        left, bottom = x[items] + pad / 2, y[items] + pad / 2
        right, top = left + cell_w[items] - pad, bottom + cell_h[items] - pad
        for corner, (u, v) in enumerate(((left, bottom), (right, bottom), (right, top), (left, top))):
            uv[block, corner, 0], uv[block, corner, 1] = u, v
    return uv.reshape(-1, 2)
