"""The default algorithm: office floor space that was never finished, as in the Backrooms.

Recursive division into rooms of mixed sizes within the level's room size range, where some cuts
leave a one-cell corridor beside a wide room; doorways without doors, sometimes two cells wide;
partitions of neighbouring rooms that do not line up. Each wall gets one rank for the whole wall
plus a little per run of cells, so thinning by density removes whole partitions (open halls) or
parts of them (gaps), and some walls keep a short stub at one end whatever the density.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..density import blend_ranks
from .division import Cuts, PlanCuts, Rooms, divide
from .grid import ChunkBatch, FloatArray, IntArray, Passages

_STREAM = 0x42524D53  # "BRMS"
SPLIT_ANYWAY = 0.45  # chance that a room already within the size range is split again
CORRIDOR = 0.2  # chance that a cut leaves a one-cell corridor
STUB = 0.3  # chance that a wall keeps a short stub at one end at any density


def carve_backrooms(batch: ChunkBatch) -> Passages:
    walls = divide(batch, _STREAM, _cuts_for(batch.room_min, batch.room_max), _wall_rank, extra_doors=True)
    passages = walls.passages
    passages.east_value, passages.north_value = walls.east_value, walls.north_value
    return passages


def _cuts_for(room_min: int, room_max: int) -> PlanCuts:
    def plan(rooms: Rooms) -> tuple[npt.NDArray[np.bool_], Cuts]:
        vertical = np.where(rooms.w == rooms.h, rooms.draw(1) < 0.5, rooms.w > rooms.h)
        span = np.where(vertical, rooms.w, rooms.h)
        across = np.where(vertical, rooms.h, rooms.w)
        low = np.minimum(room_min, span // 2)
        offset = low + (rooms.draw(2) * (span - 2 * low + 1)).astype(np.int64)
        corridor = (rooms.draw(4) < CORRIDOR) & (span >= room_min + 2) & (across >= 4)
        offset = np.where(corridor, np.where(rooms.draw(5) < 0.5, 1, span - 1), offset)
        wanted = (span > room_max) | ((span >= 2 * room_min) & (rooms.draw(3) < SPLIT_ANYWAY)) | corridor
        return wanted & ~rooms.final & (span >= 2), Cuts(vertical, offset, corridor)

    return plan


def _wall_rank(rooms: Rooms, owner: IntArray, along: IntArray, length: IntArray) -> FloatArray:
    """Thinning rank per wall cell: mostly the wall's own, a little per run of three cells."""
    whole = rooms.draw(21)[owner]
    run_key = rooms.key[owner] + np.uint64(0x9E37) * (along // 3).astype(np.uint64)  # arrays wrap silently
    run = Rooms(owner, owner, owner, owner, owner, run_key, owner.astype(bool)).draw(22)
    rank = blend_ranks(whole, run, major=0.8)
    stub = rooms.draw(23)[owner] < STUB
    stub_length = 1 + (rooms.draw(24)[owner] < 0.5)
    at_low_end = rooms.draw(25)[owner] < 0.5
    in_stub = np.where(at_low_end, along < stub_length, along >= length[owner] - stub_length)
    return np.where(stub & in_stub, -1.0, rank)
