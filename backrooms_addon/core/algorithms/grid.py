"""Chunk batches and passages: what every maze algorithm takes and returns, for many chunks at once.

Algorithms run in lockstep over a batch of chunks: each step is a handful of numpy operations on
arrays with one row per chunk, so no Python loop ever runs per cell. Every random choice is a hash
of (seed, stream, chunk coordinates, step), so a chunk is the same whichever batch it is in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..rng import hash64, mix64, times_golden, uniform

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Neighbour steps in cell index space: east, north, west, south.
DX = np.array([1, 0, -1, 0], np.int64)
DY = np.array([0, 1, 0, -1], np.int64)


@dataclass(frozen=True)
class ChunkBatch:
    """Chunks to carve together, with the level settings that shape them."""

    seed: int
    coords: IntArray  # (n, 2) chunk coordinates (cx, cy)
    size: int  # cells per chunk side
    room_min: int = 2
    room_max: int = 8

    @property
    def count(self) -> int:
        return int(self.coords.shape[0])

    @property
    def cells(self) -> int:
        return self.size * self.size

    def hashes(self, stream: int, *extra: int | npt.ArrayLike) -> npt.NDArray[np.uint64]:
        """One uint64 per chunk (broadcast with `extra`), keyed by the chunk's own coordinates."""
        cx = self.coords[:, 0].reshape((-1,) + (1,) * _extra_dims(extra))
        cy = self.coords[:, 1].reshape(cx.shape)
        return hash64(self.seed, stream, cx, cy, *extra)

    def uniforms(self, stream: int, *extra: int | npt.ArrayLike) -> FloatArray:
        cx = self.coords[:, 0].reshape((-1,) + (1,) * _extra_dims(extra))
        cy = self.coords[:, 1].reshape(cx.shape)
        return uniform(self.seed, stream, cx, cy, *extra)

    def below(self, bound: npt.ArrayLike, stream: int, *extra: int | npt.ArrayLike) -> IntArray:
        """A random integer in [0, bound) per chunk (bound broadcasts with the chunks)."""
        bounds = np.maximum(np.asarray(bound, np.int64), 1).astype(np.uint64)
        return (self.hashes(stream, *extra) % bounds).astype(np.int64)

    def integers(self, stream: int, *extra: int | npt.ArrayLike) -> IntArray:
        """Non-negative random int64 values (the top 31 bits of the hash) per chunk."""
        return (self.hashes(stream, *extra) >> np.uint64(33)).astype(np.int64)

    def sequence(self, stream: int) -> Sequence:
        """A per-chunk random sequence for step-by-step algorithms (one hash per step, not seven)."""
        return Sequence(self.hashes(stream))


class Sequence:
    """SplitMix64 per chunk: value k of chunk n is mix64(base[n] + k * golden), a pure function of k."""

    def __init__(self, base: npt.NDArray[np.uint64]) -> None:
        self.base = base

    def bits(self, step: int) -> npt.NDArray[np.uint64]:
        return mix64(self.base + times_golden(step))

    def integers(self, step: int) -> IntArray:
        """Non-negative int64 values below 2**31."""
        return (self.bits(step) >> np.uint64(33)).astype(np.int64)

    def below(self, bound: npt.ArrayLike, step: int) -> IntArray:
        bounds = np.maximum(np.asarray(bound, np.int64), 1)
        values: IntArray = self.integers(step) % bounds
        return values

    def uniforms(self, step: int) -> FloatArray:
        return (self.bits(step) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _extra_dims(extra: tuple[int | npt.ArrayLike, ...]) -> int:
    return max((np.ndim(e) for e in extra), default=0)


@dataclass
class Passages:
    """Open passages inside each chunk of a batch.

    east[n, y, x] joins cells (x, y) and (x + 1, y) of chunk n, shape (n, size, size - 1);
    north[n, y, x] joins (x, y) and (x, y + 1), shape (n, size - 1, size).
    value arrays, where an algorithm gives them, rank the walls for thinning by density
    (see layout.py); solid marks cells that are not walkable.
    """

    east: BoolArray
    north: BoolArray
    east_value: FloatArray | None = None
    north_value: FloatArray | None = None

    @classmethod
    def closed(cls, count: int, size: int) -> Passages:
        """Every cell walled in."""
        return cls(np.zeros((count, size, size - 1), np.bool_), np.zeros((count, size - 1, size), np.bool_))

    @classmethod
    def open(cls, count: int, size: int) -> Passages:
        """No wall inside any chunk."""
        return cls(np.ones((count, size, size - 1), np.bool_), np.ones((count, size - 1, size), np.bool_))

    def join(self, chunk: IntArray, cell_a: IntArray, cell_b: IntArray, size: int) -> None:
        """Open the passage between neighbouring cells a and b (cell index y * size + x) of each chunk."""
        ya, xa = np.divmod(cell_a, size)
        yb, xb = np.divmod(cell_b, size)
        horizontal = ya == yb
        h, v = horizontal, ~horizontal
        self.east[chunk[h], ya[h], np.minimum(xa[h], xb[h])] = True
        self.north[chunk[v], np.minimum(ya[v], yb[v]), xa[v]] = True


def neighbour_table(size: int) -> IntArray:
    """(cells, 4): index of each cell's east, north, west and south neighbour, or -1 outside the chunk."""
    y, x = np.divmod(np.arange(size * size, dtype=np.int64), size)
    nx, ny = x[:, None] + DX, y[:, None] + DY
    inside = (nx >= 0) & (nx < size) & (ny >= 0) & (ny < size)
    table: IntArray = np.where(inside, ny * size + nx, -1)
    return table


class FlatPassages:
    """Passages as flat per-cell flags while an algorithm runs: east[n * cells + c] opens c to its east."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size = count, size
        self.east = np.zeros(count * size * size, np.bool_)
        self.north = np.zeros(count * size * size, np.bool_)

    def join(self, base: IntArray, cell: IntArray, direction: IntArray, target: IntArray, mask: BoolArray) -> None:
        """Open, where mask is set, the passage from cell to its neighbour target in direction (0-3)."""
        low = np.where(direction < 2, cell, target)  # the west or south cell of the pair
        index = base + low
        horizontal = direction % 2 == 0
        self.east[index] |= mask & horizontal
        self.north[index] |= mask & ~horizontal

    def passages(self) -> Passages:
        shape = (self.count, self.size, self.size)
        return Passages(self.east.reshape(shape)[:, :, :-1].copy(), self.north.reshape(shape)[:, :-1, :].copy())


def pick_true(mask: BoolArray, draw: IntArray) -> IntArray:
    """For each row, the column of its (draw mod count)-th True entry; rows need at least one True."""
    counts = mask.sum(axis=1)
    target = draw % np.maximum(counts, 1)
    ranks = np.cumsum(mask, axis=1) - 1
    hit = mask & (ranks == target[:, None])
    columns: IntArray = np.argmax(hit, axis=1).astype(np.int64)
    return columns
