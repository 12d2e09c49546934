"""Recursive division: split rooms by walls with doorways, down to single cells or to room sizes.

Rectangles of every chunk are split together, one generation per iteration: the arrays hold all
rectangles still to split, whatever chunk they belong to. A wall across a rectangle always keeps at
least one doorway, so each half stays reachable from the other and the chunk stays connected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..rng import mix64, times_golden
from .grid import ChunkBatch, FloatArray, IntArray, Passages

_STREAM = 0x44495649  # "DIVI"
U64 = npt.NDArray[np.uint64]


@dataclass
class Rooms:
    """Rectangles still to split: chunk index, corner, size (cells), and a random key each."""

    chunk: IntArray
    x: IntArray
    y: IntArray
    w: IntArray
    h: IntArray
    key: U64
    final: npt.NDArray[np.bool_]

    def take(self, mask: npt.NDArray[np.bool_]) -> Rooms:
        return Rooms(*(getattr(self, f)[mask] for f in ("chunk", "x", "y", "w", "h", "key", "final")))

    def draw(self, salt: int) -> FloatArray:
        """A uniform number in [0, 1) per room, different for each salt."""
        bits = mix64(self.key + times_golden(salt))
        return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


@dataclass(frozen=True)
class Cuts:
    """Where and how each splitting room is cut."""

    vertical: npt.NDArray[np.bool_]  # the wall runs along y (the room is cut across x)
    offset: IntArray  # cells from the room's low side to the wall
    corridor: npt.NDArray[np.bool_]  # the cut leaves a one-cell corridor, which is not split again

    def take(self, mask: npt.NDArray[np.bool_]) -> Cuts:
        return Cuts(self.vertical[mask], self.offset[mask], self.corridor[mask])


PlanCuts = Callable[[Rooms], tuple[npt.NDArray[np.bool_], Cuts]]
WallRank = Callable[[Rooms, IntArray, IntArray, IntArray], FloatArray]


@dataclass
class Walls:
    """Walls placed by the division, as passages closed plus a rank for thinning by density."""

    passages: Passages
    east_value: FloatArray
    north_value: FloatArray


def divide(
    batch: ChunkBatch,
    stream: int,
    plan_cuts: PlanCuts,
    wall_rank: WallRank | None = None,
    extra_doors: bool = False,
) -> Walls:
    """Split every chunk recursively; plan_cuts(rooms) says which rooms split and how.

    wall_rank(rooms, owner, along, length) ranks each new wall cell for thinning by density;
    extra_doors allows two-cell doorways and a second doorway on long walls.
    """
    size = batch.size
    passages = Passages.open(batch.count, size)
    east_value = np.full((batch.count, size, size - 1), 0.5)
    north_value = np.full((batch.count, size - 1, size), 0.5)
    full = np.full(batch.count, size, np.int64)
    zero = np.zeros(batch.count, np.int64)
    rooms = Rooms(np.arange(batch.count), zero, zero, full, full.copy(), batch.hashes(stream), zero.astype(bool))
    while len(rooms.chunk):
        splitting, cuts = plan_cuts(rooms)
        rooms, cuts = rooms.take(splitting), cuts.take(splitting)
        if not len(rooms.chunk):
            break
        _build_walls(rooms, cuts, passages, east_value, north_value, wall_rank, extra_doors)
        rooms = _children(rooms, cuts)
    return Walls(passages, east_value, north_value)


def _build_walls(
    rooms: Rooms,
    cuts: Cuts,
    passages: Passages,
    east_value: FloatArray,
    north_value: FloatArray,
    wall_rank: WallRank | None,
    extra_doors: bool,
) -> None:
    length = np.where(cuts.vertical, rooms.h, rooms.w)
    owner = np.repeat(np.arange(len(length)), length)
    along = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    doors = _doorways(rooms, length, extra_doors)
    is_door = (along == doors[0][owner]) | (along == doors[1][owner]) | (along == doors[2][owner])
    rank = wall_rank(rooms, owner, along, length) if wall_rank is not None else np.full(len(owner), 0.5)
    vertical = cuts.vertical[owner]
    chunk = rooms.chunk[owner]
    # A vertical wall closes east passages at x = x0 + offset - 1 for rows y0 + along.
    vx = (rooms.x + cuts.offset - 1)[owner]
    vy = rooms.y[owner] + along
    v = vertical & ~is_door
    passages.east[chunk[v], vy[v], vx[v]] = False
    east_value[chunk[vertical], vy[vertical], vx[vertical]] = rank[vertical]
    hx = rooms.x[owner] + along
    hy = (rooms.y + cuts.offset - 1)[owner]
    h = ~vertical & ~is_door
    passages.north[chunk[h], hy[h], hx[h]] = False
    east_or_north = ~vertical
    north_value[chunk[east_or_north], hy[east_or_north], hx[east_or_north]] = rank[east_or_north]


def _doorways(rooms: Rooms, length: IntArray, extra: bool) -> tuple[IntArray, IntArray, IntArray]:
    """Up to three open cells per wall: a doorway, sometimes two wide, and on long walls a second one."""
    first = (rooms.draw(11) * length).astype(np.int64)
    if not extra:
        none = np.full(len(first), -1, np.int64)
        return first, none, none
    wide = (rooms.draw(12) < 0.3) & (length >= 4)
    second_cell = np.where(wide, np.where(first + 1 < length, first + 1, first - 1), -1)
    another = (rooms.draw(13) < 0.5) & (length >= 7)
    third = np.where(another, (first + length // 2) % length, -1)
    return first, second_cell, third


def _children(rooms: Rooms, cuts: Cuts) -> Rooms:
    """The two halves of every cut room; a one-cell corridor side is marked final."""
    v = cuts.vertical
    k = cuts.offset
    low_w, low_h = np.where(v, k, rooms.w), np.where(v, rooms.h, k)
    high_x, high_y = np.where(v, rooms.x + k, rooms.x), np.where(v, rooms.y, rooms.y + k)
    high_w, high_h = np.where(v, rooms.w - k, rooms.w), np.where(v, rooms.h, rooms.h - k)
    low_key = mix64(rooms.key * np.uint64(3) + np.uint64(1))  # arrays wrap without a warning
    high_key = mix64(rooms.key * np.uint64(3) + np.uint64(2))
    low_final = cuts.corridor & (k == 1)
    high_final = cuts.corridor & ~(k == 1)
    return Rooms(
        np.concatenate([rooms.chunk, rooms.chunk]),
        np.concatenate([rooms.x, high_x]),
        np.concatenate([rooms.y, high_y]),
        np.concatenate([low_w, high_w]),
        np.concatenate([low_h, high_h]),
        np.concatenate([low_key, high_key]),
        np.concatenate([low_final, high_final]),
    )


def classic_cuts(rooms: Rooms) -> tuple[npt.NDArray[np.bool_], Cuts]:
    """Textbook division: cut across the longer side anywhere, until rooms are single cells."""
    vertical = np.where(rooms.w == rooms.h, rooms.draw(1) < 0.5, rooms.w > rooms.h)
    span = np.where(vertical, rooms.w, rooms.h)
    offset = 1 + (rooms.draw(2) * np.maximum(span - 1, 1)).astype(np.int64)
    return span >= 2, Cuts(vertical, offset, np.zeros(len(span), np.bool_))


def carve_division(batch: ChunkBatch) -> Passages:
    """Recursive division down to single cells: long straight walls, a maze of boxes."""
    return divide(batch, _STREAM, classic_cuts).passages
