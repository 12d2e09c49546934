"""A region's window onto the endless world: the chunks that cover it, open floor, pieces.

Every level feature that looks past the region's own cells (pools decided per chunk, pitfalls and
stairwells on the world's lattice, a clutter of crates) asks one Window: which whole chunks hold
the region and where the region lies in them, whether a block of cells is one open floor, and
which piece (object) a point or a cell belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from .algorithms.grid import BoolArray, IntArray
from .geometry import Pieces
from .layout import Layout, chunk_layout, covering_chunks
from .spec import LevelSpec
from .styles import style_of

F64 = npt.NDArray[np.float64]
PieceIndex = npt.NDArray[np.int32]  # a piece per point, cell or face


@dataclass(frozen=True)
class Window:
    """The whole chunks that cover a region of `spec`, and where the region lies in them.

    Window cells count from the first chunk's first cell; region cells from the region's.
    """

    spec: LevelSpec
    first_chunk: tuple[int, int]
    chunks: tuple[int, int]  # along x and y
    pieces: Pieces = field(compare=False)

    @classmethod
    def of(cls, spec: LevelSpec) -> Window:
        first, count = covering_chunks(spec)
        return cls(spec, first, count, Pieces.covering(spec.width, spec.depth, spec.piece_cells))

    @property
    def origin(self) -> tuple[int, int]:
        """The world cell of the window's first cell."""
        size = self.spec.chunk_size
        return (self.first_chunk[0] * size, self.first_chunk[1] * size)

    @property
    def offset(self) -> tuple[int, int]:
        """The region's first cell, in window cells."""
        (ox, oy), (wx, wy) = self.spec.origin, self.origin
        return (ox - wx, oy - wy)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of window cells."""
        size = self.spec.chunk_size
        return (self.chunks[1] * size, self.chunks[0] * size)

    @cached_property
    def world(self) -> Layout:
        """The world's walls and pillars over the window (no perimeter)."""
        return chunk_layout(self.spec, self.first_chunk, self.chunks)

    @cached_property
    def ground(self) -> Layout:
        """The world as the level's style builds it: without pillars where the style has none."""
        if style_of(self.spec.style).pillars:
            return self.world
        return replace(self.world, solid=np.zeros_like(self.world.solid))

    def region(self, layout: Layout | None = None) -> Layout:
        """The region's own layout cut from a window layout (the world's by default): what
        build_layout gives, without building the chunks again."""
        return (layout or self.world).cut(self.offset, self.spec.width, self.spec.depth)

    # -----------------------------------------------------------------------------------------
    # Window cells and region cells

    def crop(self, cells: BoolArray) -> BoolArray:
        """Window cells -> the region's cells."""
        x, y = self.offset
        cropped: BoolArray = cells[y : y + self.spec.depth, x : x + self.spec.width]
        return cropped

    def embed(self, cells: BoolArray | None) -> BoolArray:
        """The region's cells -> window cells (False outside the region)."""
        whole = np.zeros(self.shape, np.bool_)
        if cells is not None:
            x, y = self.offset
            whole[y : y + self.spec.depth, x : x + self.spec.width] = cells
        return whole

    def within(self, starts: BoolArray, reach: tuple[int, int, int, int]) -> BoolArray:
        """The window cells of `starts` whose block, `reach` = (west, east, south, north) cells
        around each, lies wholly in the region."""
        west, east, south, north = reach
        region = self.embed(np.ones((self.spec.depth, self.spec.width), np.bool_))
        padded = np.pad(region, ((south, north), (west, east)))
        block = sliding_window_view(padded, (south + north + 1, west + east + 1))
        kept: BoolArray = starts & block.all(axis=(-2, -1))
        return kept

    # -----------------------------------------------------------------------------------------
    # Open floor

    @cached_property
    def open_world(self) -> OpenFloor:
        """Open-floor queries on the world's walls and pillars."""
        return OpenFloor(self.world, self.spec.chunk_size)

    @cached_property
    def open_ground(self) -> OpenFloor:
        """Open-floor queries on the ground the style builds (core/pools.py digs into it)."""
        return OpenFloor(self.ground, self.spec.chunk_size)

    # -----------------------------------------------------------------------------------------
    # Pieces

    def piece_at(self, x: F64, y: F64) -> PieceIndex:
        """The piece holding each point (region metres); points outside go to the nearest piece."""
        return self.pieces.at(x, y, self.spec.cell_size)

    def piece_of_face(self, x: F64, y: F64) -> PieceIndex:
        """The piece of each face from its middle (region metres), as the walls pick theirs."""
        return self.pieces.of_points(x, y, self.spec.cell_size)

    def piece_of_cells(self, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64]) -> PieceIndex:
        """The piece each region cell belongs to."""
        return self.pieces.of_cells(xs, ys)


class OpenFloor:
    """Summed-area tables of a window layout's pillars and walls: is a block of cells one open floor?"""

    def __init__(self, layout: Layout, chunk_size: int) -> None:
        self.layout, self.chunk_size = layout, chunk_size
        self.solid = _table(layout.solid)
        self.walls_v = _table(layout.walls_v)
        self.walls_h = _table(layout.walls_h)

    def clear(self, x0: IntArray, y0: IntArray, x1: IntArray, y1: IntArray) -> BoolArray:
        """Whether cells [x0, x1) x [y0, y1) (window cells) hold no pillar and have no wall
        between two of them."""
        inner_v = _box(self.walls_v, x0 + 1, y0, x1, y1)  # west edges of all columns but the first
        inner_h = _box(self.walls_h, x0, y0 + 1, x1, y1)  # south edges of all rows but the first
        clear: BoolArray = (_box(self.solid, x0, y0, x1, y1) == 0) & (inner_v == 0) & (inner_h == 0)
        return clear

    def blocks(self, width: int, depth: int) -> BoolArray:
        """Per window cell as a block's south-west corner: is the width x depth block from there
        clear (see clear) and inside one chunk? False where the block does not fit."""
        rows, columns = self.layout.solid.shape
        found = np.zeros((rows, columns), np.bool_)
        if rows < depth or columns < width:
            return found
        ys, xs = np.mgrid[0 : rows - depth + 1, 0 : columns - width + 1]
        size, (ox, oy) = self.chunk_size, self.layout.origin
        one_chunk = ((xs + ox) // size == (xs + ox + width - 1) // size) & (
            (ys + oy) // size == (ys + oy + depth - 1) // size
        )
        found[: rows - depth + 1, : columns - width + 1] = one_chunk & self.clear(xs, ys, xs + width, ys + depth)
        return found


def _table(values: BoolArray) -> IntArray:
    table = np.zeros((values.shape[0] + 1, values.shape[1] + 1), np.int64)
    table[1:, 1:] = values.astype(np.int64).cumsum(axis=0).cumsum(axis=1)
    return table


def _box(table: IntArray, x0: IntArray, y0: IntArray, x1: IntArray, y1: IntArray) -> IntArray:
    """Sum of the values in [y0, y1) x [x0, x1); bounds outside the table are clipped."""
    rows, columns = table.shape[0] - 1, table.shape[1] - 1
    x0, x1 = np.clip(x0, 0, columns), np.clip(x1, 0, columns)
    y0, y1 = np.clip(y0, 0, rows), np.clip(y1, 0, rows)
    total: IntArray = table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]
    return total
