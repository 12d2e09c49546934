"""Level 4's meeting rooms: closed rooms of 3 x 3 cells with one door, walled in on the floor.

The world is cut into blocks of BLOCK x BLOCK cells; a block may hold one room, at a place drawn
from the block's world coordinates. A room is built only where its nine cells are free, the cell
outside its door is free and at most one cell of the ring of sixteen round it is solid. The walls
between neighbouring ring cells go, so the ring's free cells are one walkable arc: walling the
room in then splits nothing, as a way that crossed the room goes round it along the ring, and the
door joins the room to the ring. Rooms are decided from the world's own layout round them, so a
region cut anywhere gets the same walls.

The holes other features cut keep their own promise (core/floors.py, core/pools.py): a ring of
open floor round each. A room starts on world cells that are multiples of 3, so its walls run
along the edges of the pitfalls' 3 x 3 blocks, never through one, and no pitfall opens outside its
door; it keeps off every pool and its ring, and, on a level of several floors, off every block of
open floor a stairwell could take.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from .algorithms.grid import BoolArray
from .floors import STAIR_CELLS
from .layout import Layout
from .pools import find_pools
from .rng import hash64, uniform
from .spec import LevelSpec
from .world import Window

BLOCK = 12  # cells; a room starts 0 or 6 cells in: even (its middle on the furniture's lattice), 3k
SIDE = 3  # a room is SIDE x SIDE cells
ROOM_SHARE = 0.6  # of the blocks whose place is open floor
MARGIN = SIDE + 1  # cells a room and its ring reach beyond the room's first cell
_STREAM = 0x4D454554  # "MEET"

I64 = npt.NDArray[np.int64]
# The ring of sixteen cells round a room at (0, 0)-(2, 2), in order: each next to the one after.
RING = (
    *((x, -1) for x in range(-1, SIDE + 1)),
    *((SIDE, y) for y in range(0, SIDE + 1)),
    *((x, SIDE) for x in range(SIDE - 1, -2, -1)),
    *((-1, y) for y in range(SIDE - 1, -1, -1)),
)


def candidates(seed: int, x0: int, y0: int, x1: int, y1: int) -> tuple[I64, I64, I64]:
    """The first world cells (x, y) of the drawn rooms whose ring touches cells x0..x1 by
    y0..y1 (inclusive), and each room's door side (0 south, 1 east, 2 north, 3 west)."""
    bx, by = np.meshgrid(
        np.arange((x0 - BLOCK) // BLOCK, x1 // BLOCK + 2, dtype=np.int64),
        np.arange((y0 - BLOCK) // BLOCK, y1 // BLOCK + 2, dtype=np.int64),
    )
    bx, by = bx.ravel(), by.ravel()
    drawn = uniform(seed, _STREAM, bx, by) < ROOM_SHARE
    place = hash64(seed, _STREAM + 1, bx, by)
    # Two places per axis, 0 or 6 cells in: rings of neighbouring blocks' rooms never meet.
    xs = bx * BLOCK + 6 * (place % np.uint64(2)).astype(np.int64)
    ys = by * BLOCK + 6 * ((place >> np.uint64(1)) % np.uint64(2)).astype(np.int64)
    doors = ((place >> np.uint64(2)) % np.uint64(4)).astype(np.int64)
    touches = drawn & (xs + SIDE >= x0) & (xs - 1 <= x1) & (ys + SIDE >= y0) & (ys - 1 <= y1)
    return xs[touches], ys[touches], doors[touches]


# Per door side: the cell outside the door, from the room's first cell.
OUTSIDE = ((SIDE // 2, -1), (SIDE, SIDE // 2), (SIDE // 2, SIDE), (-1, SIDE // 2))


def fits(world: Layout, xs: I64, ys: I64, doors: I64) -> npt.NDArray[np.bool_]:
    """Whether each room (first cell in `world`'s cells) has room: its cells and the one outside
    its door free, at most one solid cell in its ring."""
    ok = np.ones(len(xs), np.bool_)
    for dx in range(SIDE):
        for dy in range(SIDE):
            ok &= ~world.solid[ys + dy, xs + dx]
    solid_ring = np.sum([world.solid[ys + dy, xs + dx] for dx, dy in RING], axis=0)
    outside = np.array(OUTSIDE)[doors]
    found: npt.NDArray[np.bool_] = ok & (solid_ring <= 1) & ~world.solid[ys + outside[:, 1], xs + outside[:, 0]]
    return found


def rooms(spec: LevelSpec) -> tuple[I64, I64, I64]:
    """The meeting rooms that touch the region (world first cells and door sides), decided from
    the world's layout round each one. They are the world's: a closed level keeps those its edge
    cuts too (its joins, core/joins.py, open what the cut seals off, as for any other wall)."""
    ox, oy = spec.origin
    xs, ys, doors = candidates(spec.seed, ox, oy, ox + spec.width - 1, oy + spec.depth - 1)
    if not len(xs):
        return xs, ys, doors
    around = spec.window((ox - MARGIN, oy - MARGIN), spec.width + 2 * MARGIN, spec.depth + 2 * MARGIN)
    window = Window.of(around)
    local_x, local_y = xs - ox + MARGIN, ys - oy + MARGIN
    ok = fits(window.region(window.world), local_x, local_y, doors)
    near = window.crop(_hole_blocks(window))
    for dx in range(SIDE):
        for dy in range(SIDE):
            ok &= ~near[local_y + dy, local_x + dx]
    return xs[ok], ys[ok], doors[ok]


def _hole_blocks(window: Window) -> BoolArray:
    """Window cells a pool's ring covers, or (with several floors) a stairwell's could."""
    covered = np.zeros(window.shape, np.bool_)
    offset = np.array(window.offset * 2, np.int64)
    for x0, y0, x1, y1 in (find_pools(window).rects + offset).tolist():
        covered[max(y0 - 1, 0) : y1 + 1, max(x0 - 1, 0) : x1 + 1] = True
    if window.spec.floors > 1:
        width, depth = STAIR_CELLS + 2, 3
        corners = np.pad(window.open_world.blocks(width, depth), ((depth - 1, 0), (width - 1, 0)))
        covered |= sliding_window_view(corners, (depth, width)).any(axis=(-2, -1))
    return covered


def walled_in(spec: LevelSpec, layout: Layout) -> Layout:
    """`layout` (a window onto the world, at its own origin) with its meeting rooms: walls round
    each, one door in the middle of a side, no wall inside, none between neighbouring cells of
    its ring."""
    ox, oy = layout.origin
    xs, ys, doors = rooms(spec.window((ox, oy), layout.width, layout.depth, spec.perimeter))
    if not len(xs):
        return layout
    walls_h, walls_v = layout.walls_h.copy(), layout.walls_v.copy()
    for x, y, door in zip((xs - ox).tolist(), (ys - oy).tolist(), doors.tolist(), strict=True):
        _set(walls_h, slice(y + 1, y + SIDE), slice(x, x + SIDE), False)
        _set(walls_v, slice(y, y + SIDE), slice(x + 1, x + SIDE), False)
        _clear_ring(walls_h, walls_v, x, y)
        for row in (y, y + SIDE):
            _set(walls_h, slice(row, row + 1), slice(x, x + SIDE), True)
        for column in (x, x + SIDE):
            _set(walls_v, slice(y, y + SIDE), slice(column, column + 1), True)
        middle = SIDE // 2
        door_edge = {0: (walls_h, y, x + middle), 1: (walls_v, y + middle, x + SIDE)}
        door_edge |= {2: (walls_h, y + SIDE, x + middle), 3: (walls_v, y + middle, x)}
        walls, row, column = door_edge[door]
        _set(walls, slice(row, row + 1), slice(column, column + 1), False)
    return Layout(walls_h, walls_v, layout.solid, layout.origin)


def _clear_ring(walls_h: BoolArray, walls_v: BoolArray, x: int, y: int) -> None:
    """No wall between neighbouring ring cells of the room at (x, y) (region cells)."""
    for (ax, ay), (bx, by) in zip(RING, RING[1:] + RING[:1], strict=True):
        if ax != bx:  # a step along x crosses the west edge of the cell further east
            column = max(ax, bx) + x
            _set(walls_v, slice(ay + y, ay + y + 1), slice(column, column + 1), False)
        else:
            row = max(ay, by) + y
            _set(walls_h, slice(row, row + 1), slice(ax + x, ax + x + 1), False)


def _set(walls: BoolArray, rows: slice, columns: slice, value: bool) -> None:
    """Set the edges in rows by columns that lie in the region (a room may straddle its edge)."""
    r0, r1 = max(rows.start, 0), min(rows.stop, walls.shape[0])
    c0, c1 = max(columns.start, 0), min(columns.stop, walls.shape[1])
    if r0 < r1 and c0 < c1:
        walls[r0:r1, c0:c1] = value


def is_meeting_room(layout: Layout, xs: I64, ys: I64) -> npt.NDArray[np.bool_]:
    """Whether each cell is the middle of a closed room of 3 x 3 cells: nothing inside, walls all
    round but one door (the open world has no such room: its rooms open on many sides)."""
    inside = np.ones(len(xs), np.bool_)
    for d in (-1, 0, 1):
        inside &= ~layout.walls_v[ys + d, xs] & ~layout.walls_v[ys + d, xs + 1]
        inside &= ~layout.walls_h[ys, xs + d] & ~layout.walls_h[ys + 1, xs + d]
    edges = [layout.walls_h[ys - 1, xs + d] for d in (-1, 0, 1)] + [layout.walls_h[ys + 2, xs + d] for d in (-1, 0, 1)]
    edges += [layout.walls_v[ys + d, xs - 1] for d in (-1, 0, 1)] + [layout.walls_v[ys + d, xs + 2] for d in (-1, 0, 1)]
    openings = (~np.stack(edges, axis=1)).sum(axis=1)
    found: npt.NDArray[np.bool_] = inside & (openings == 1)
    return found
